//! Ctrl-C while a query runs cancels that query (SQLite's interrupt, PostgreSQL's cancel
//! request) and returns to the prompt. At the prompt, the line editor reads Ctrl-C itself
//! and clears the line.

use std::sync::Mutex;

use crate::engine::Canceller;
use crate::output::errln;

/// What cancels the running query, if a query is running.
static RUNNING: Mutex<Option<Canceller>> = Mutex::new(None);

/// Routes Ctrl-C (SIGINT) to the running query. Installing twice is harmless.
pub fn install() {
    let result = ctrlc::set_handler(|| {
        if let Ok(running) = RUNNING.lock()
            && let Some(handle) = running.as_ref()
        {
            handle.cancel();
        }
    });
    if let Err(error) = result {
        errln!("warning: Ctrl-C will not cancel queries: {error}");
    }
}

/// Runs `work` with `handle` registered, so Ctrl-C interrupts it.
pub fn while_running<T>(handle: Canceller, work: impl FnOnce() -> T) -> T {
    set(Some(handle));
    let result = work();
    set(None);
    result
}

fn set(handle: Option<Canceller>) {
    if let Ok(mut running) = RUNNING.lock() {
        *running = handle;
    }
}

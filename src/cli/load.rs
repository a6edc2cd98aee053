//! `seg load`: (re)build the project's database (a SQLite file, or the tables in
//! PostgreSQL) from the CSV files in seg.toml.

use crate::app::load::build;
use crate::app::session::Session;
use crate::app::{Context, Failure};

pub fn run(context: &Context) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    let target = session.database_location()?;
    build(&session.project, &target)?;
    Ok(0)
}

//! The `seg` command.

fn main() {
    std::process::exit(seglang::main());
}

//! How a command fails: one line on standard error, prefixed, and the exit status (2 for a
//! command line that cannot be read, 1 for a failed run; a reader that went away is no failure).

use std::io::{self, Write};
use std::process::ExitCode;
use twinproc::Error;

/// Why a command failed: its work, or writing its report to standard output.
pub(crate) enum Failure {
    Work(Error),
    Stdout(io::Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Work(error)
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::Stdout(error)
    }
}

/// The exit of a command that returned `result`.
pub(crate) fn exit(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): nothing more to say, to nobody.
        Err(Failure::Stdout(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Stdout(e)) => report(&format!("cannot write to standard output: {e}")),
        Err(Failure::Work(e)) => report(&chain(&e)),
    }
}

/// One line on standard error (if that fails too, the exit status still says it).
fn report(line: &str) -> ExitCode {
    let _ = writeln!(io::stderr(), "twinproc: {line}");
    ExitCode::FAILURE
}

/// A command line clap cannot read: its first line, prefixed, and exit status 2 (help and version
/// are printed as asked).
pub(crate) fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            return match error.print() {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            };
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let text = error.render().to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let _ = writeln!(io::stderr(), "twinproc: {first} (see `twinproc --help`)");
    ExitCode::from(2)
}

/// An error and its sources on one line, `: `-separated (a source whose text its error already
/// ends with, as some libraries' errors print their own, is not repeated).
fn chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line
}

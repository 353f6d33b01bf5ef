use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = schaalwijzer::cli::Args::parse();
    schaalwijzer::cli::init_logging(args.default_log_level());
    match schaalwijzer::cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

//! The `serenade` binary: parse the command line, start logging, run the subcommand.

use clap::Parser;
use serenade::cli::Cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    serenade::telemetry::init(cli.log_format);
    match serenade::app::commands::run(cli.command).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

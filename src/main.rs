fn main() -> std::process::ExitCode {
    ganimate::cli::run()
}

import ArgumentParser
import SiteBuilder

@main
struct Sitegen: ParsableCommand {
    func run() throws { print("sitegen") }
}

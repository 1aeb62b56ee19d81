import ArgumentParser
import Foundation
import SiteBuilder

@main
struct Sitegen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sitegen",
        abstract: "Build an explorable explainer site from a small transformer's weights.",
        discussion: """
        Reads the model file, runs one forward pass, renders the templates and writes a \
        self-contained static site. Every page is checked with libxml2 before the site is \
        swapped in; on any error nothing is written and the previous site stays.
        """,
        version: SitegenVersion.string,
        subcommands: [Build.self, Check.self],
        defaultSubcommand: Build.self
    )
}

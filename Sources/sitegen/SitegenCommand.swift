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

        Building (the default command; `sitegen help build` for details):
          sitegen                                  Models/seed.json → Site/
          sitegen --model M.json --output Out      another model, another folder
          sitegen --text "the dog" --target sat    another prompt for the same weights
          sitegen --model gpt2/ --text "The cat" --target " sat"
                                                   a GPT-2 checkpoint folder (save_pretrained's)
          sitegen --templates T --quiet            other templates; print only errors

        Checking a site someone edited or is about to host:
          sitegen check [Site]
        """,
        version: SitegenVersion.string,
        subcommands: [Build.self, Check.self],
        defaultSubcommand: Build.self
    )
}

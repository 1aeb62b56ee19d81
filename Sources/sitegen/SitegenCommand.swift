import ArgumentParser
import FoundationEssentials
import SiteBuilder
import Glibc

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

        Defaults: the working folder's Models/seed.json and Templates/ when they exist, \
        else the seed model and templates built into sitegen (so `sitegen` in an empty \
        folder writes the seed site); --model and --templates override either.

        Checking a site someone edited or is about to host:
          sitegen check [Site]

        Training a GPT-2 on a text (`sitegen help train`):
          sitegen train CORPUS.txt --output DIR
        """,
        version: SitegenVersion.string,
        subcommands: [Build.self, Check.self, Train.self],
        defaultSubcommand: Build.self
    )

    /// ArgumentParser's `main`, with every message printed through `Console` (escaped, one
    /// line for an error): help and the version on standard output with status 0; a usage
    /// error (`--steps -5`, an unknown option) as `error: …` with status 1, like any bad input.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Console.block(fullMessage(for: error))
            } else {
                Console.error(message(for: error) + " (see 'sitegen --help')")
            }
            Glibc.exit(code == .success ? 0 : 1)
        }
    }
}

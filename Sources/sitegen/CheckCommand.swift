import ArgumentParser
import FoundationEssentials
import PageValidation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an existing site folder: well-formed pages, unique ids, working links and anchors, nothing remote, accessible figures and tables."
    )

    @Argument(help: ArgumentHelp("The site folder to check.", valueName: "dir"))
    var directory: String = "Site"

    func validate() throws {
        // Arguments that are not UTF-8 reach Swift with U+FFFD in place of the bad bytes.
        if directory.contains("\u{FFFD}") {
            throw ValidationError("the folder name is not valid UTF-8 (or holds U+FFFD); choose a UTF-8 name")
        }
    }

    func run() throws {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let diagnostics = SiteChecker.check(directory: directory, displayPrefix: prefix)
        if diagnostics.isEmpty {
            Console.line("\(directory): all pages check clean")
            return
        }
        for d in diagnostics { Console.line(d.description, to: .error) }
        Console.line("\(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s") in \(directory)", to: .error)
        throw ExitCode.failure
    }
}

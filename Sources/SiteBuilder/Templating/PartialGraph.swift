import Diagnostics
import FoundationEssentials

/// Which templates include which (`{{> name}}`), checked as a whole before anything renders:
/// every partial exists; none includes itself, directly or through others (rendering would
/// recurse until the stack overflows); sections and partials together nest at
/// most `TemplateTags.maxDepth` deep; and no template grows past `maxExpandedBytes` of text
/// once its partials are in (ten partials each naming the next ten times make gigabytes).
/// Each of the last three is reported once, at the first template it concerns.
struct PartialGraph {
    static let maxExpandedBytes = 16 << 20

    let problems: [Diagnostic]

    init(_ compiled: [TemplateSet.CompiledTemplate], directory: String) {
        let templates = Dictionary(compiled.map { ($0.file.name, $0) }, uniquingKeysWith: { first, _ in first })
        let names = templates.keys.sorted()
        func path(_ name: String) -> String { joinedPath(directory, name + ".html") }
        func problem(_ name: String, _ tag: TemplateTags.Tag?, _ message: String) -> Diagnostic {
            Diagnostic(file: path(name), line: tag?.line, column: tag?.column, message: message)
        }

        var problems: [Diagnostic] = []
        for name in names {
            for use in templates[name]!.partials where templates[use.tag.name] == nil {
                problems.append(problem(name, use.tag, "partial '\(use.tag.name)' does not exist (no \(use.tag.name).html in the templates folder)"))
            }
        }
        func uses(_ name: String) -> [(tag: TemplateTags.Tag, depth: Int)] {
            (templates[name]?.partials ?? []).filter { templates[$0.tag.name] != nil }
        }

        // Templates in an order where each comes after every partial it includes (Kahn's
        // algorithm); those left over lie on a cycle or lead into one.
        var waiting = Dictionary(uniqueKeysWithValues: names.map { ($0, Set(uses($0).map(\.tag.name)).count) })
        var includedBy: [String: [String]] = [:]
        for name in names { for partial in Set(uses(name).map(\.tag.name)) { includedBy[partial, default: []].append(name) } }
        var ready = names.filter { waiting[$0] == 0 }
        var order: [String] = []
        while let name = ready.popLast() {
            order.append(name)
            for parent in includedBy[name] ?? [] {
                waiting[parent]! -= 1
                if waiting[parent] == 0 { ready.append(parent) }
            }
        }
        guard order.count == names.count else {
            // Walk from the first template left over, always to a partial also left over, until
            // a template repeats: that stretch is the cycle.
            let left = Set(names).subtracting(order)
            var walk = [left.min()!]
            var steps: [TemplateTags.Tag] = []
            while true {
                let step = uses(walk.last!).first { left.contains($0.tag.name) }!.tag
                steps.append(step)
                if let start = walk.firstIndex(of: step.name) {
                    let cycle = Array(walk[start...]) + [step.name]
                    let message = cycle.count == 2
                        ? "partial '\(step.name)' includes itself: \(cycle.joined(separator: " → ")) (a template may not include itself, directly or through others)"
                        : "partials include each other: \(cycle.joined(separator: " → ")) (a template may not include itself, directly or through others)"
                    problems.append(problem(walk[start], steps[start], message))
                    break
                }
                walk.append(step.name)
            }
            self.problems = problems
            return
        }

        // Depth and size with the partials in, partials first.
        var depth: [String: Int] = [:], size: [String: Int] = [:]
        var depthProblem: Diagnostic?, sizeProblem: Diagnostic?
        for name in order {
            let template = templates[name]!
            var deepest = template.depth, deepestVia: (tag: TemplateTags.Tag, depth: Int)? = nil
            var total = template.file.text.utf8.count
            for use in uses(name) {
                let through = use.depth + 1 + depth[use.tag.name]!
                if through > deepest { (deepest, deepestVia) = (through, use) }
                total = min(total + size[use.tag.name]!, Int.max / 4)
            }
            depth[name] = deepest
            size[name] = total
            if depthProblem == nil, deepest > TemplateTags.maxDepth, let via = deepestVia {
                depthProblem = problem(name, via.tag, "sections and partials nest \(deepest) deep through partial '\(via.tag.name)' (the limit is \(TemplateTags.maxDepth))")
            }
            if sizeProblem == nil, total > Self.maxExpandedBytes {
                let counts = Dictionary(uses(name).map { ($0.tag.name, 1) }, uniquingKeysWith: +)
                let biggest = counts.max { size[$0.key]! * $0.value < size[$1.key]! * $1.value }
                let detail = biggest.map { "; partial '\($0.key)' is included \($0.value) time\($0.value == 1 ? "" : "s")" } ?? ""
                sizeProblem = problem(name, nil, "with its partials in, it would be \(total >> 20) MB of template text (the limit is \(Self.maxExpandedBytes >> 20) MB)\(detail)")
            }
        }
        self.problems = problems + [depthProblem, sizeProblem].compactMap { $0 }
    }
}

/// The two link lists every page repeats: the stage map and the focus-token chips. They are
/// built here rather than looped over in `layout.html` because a page has dozens of items
/// and the template engine's per-item lookups made them the slowest part of a page; the
/// layout keeps the surrounding `<nav>` markup.
enum NavigationHTML {
    struct Link {
        var label: String
        var href: String
        var classes: String = ""
        var isCurrent: Bool
    }

    /// `<li>` items for the stage map: the current stage is marked `aria-current="page"`.
    static func stageItems(_ links: [Link]) -> String {
        var out = ""
        out.reserveCapacity(links.count * 64)
        for link in links {
            out += link.isCurrent
                ? "<li><a class=\"current\" aria-current=\"page\" href=\"\(Escape.html(link.href))\">\(Escape.html(link.label))</a></li>\n"
                : "<li><a href=\"\(Escape.html(link.href))\">\(Escape.html(link.label))</a></li>\n"
        }
        return out
    }

    /// The chips that switch the focus token: the current one is marked `aria-current="true"`.
    static func chips(_ links: [Link]) -> String {
        var out = ""
        out.reserveCapacity(links.count * 64)
        for link in links {
            let classes = Escape.html(link.classes)
            out += link.isCurrent
                ? "<a class=\"chip current \(classes)\" aria-current=\"true\" href=\"\(Escape.html(link.href))\">\(Escape.html(link.label))</a>\n"
                : "<a class=\"chip \(classes)\" href=\"\(Escape.html(link.href))\">\(Escape.html(link.label))</a>\n"
        }
        return out
    }
}

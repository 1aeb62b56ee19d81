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
        let out = MarkupBuffer(capacity: links.count * 64)
        for link in links {
            out.append(link.isCurrent ? "<li><a class=\"current\" aria-current=\"page\" href=\"" : "<li><a href=\"")
            out.append(escaped: link.href)
            out.append("\">")
            out.append(escaped: link.label)
            out.append("</a></li>\n")
        }
        return out.string
    }

    /// The chips that switch the focus token: the current one is marked `aria-current="true"`.
    static func chips(_ links: [Link]) -> String {
        let out = MarkupBuffer(capacity: links.count * 64)
        for link in links {
            out.append(link.isCurrent ? "<a class=\"chip current " : "<a class=\"chip ")
            out.append(escaped: link.classes)
            out.append(link.isCurrent ? "\" aria-current=\"true\" href=\"" : "\" href=\"")
            out.append(escaped: link.href)
            out.append("\">")
            out.append(escaped: link.label)
            out.append("</a>\n")
        }
        return out.string
    }
}

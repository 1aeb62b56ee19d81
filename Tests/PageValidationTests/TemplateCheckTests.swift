import Testing
@testable import PageValidation

@Suite("Template checks")
struct TemplateCheckTests {
    @Test func brokenTemplateCellClosedByRowEnd() {
        // Line 8 column 1 is the end of the file (the template ends with a newline).
        #expect(Fixtures.checkTemplate("broken-row.html") == [
            "Templates/broken-row.html:5:35: Opening and ending tag mismatch: td line 5 and tr",
            "Templates/broken-row.html:7:9: Opening and ending tag mismatch: tr line 4 and table",
            "Templates/broken-row.html:8:1: Opening and ending tag mismatch: table line 1 and end of template",
        ])
    }

    @Test func goodLayoutWithDoctypeAndMustacheInAttributes() {
        #expect(Fixtures.checkTemplate("good-layout.html") == [])
    }

    @Test(arguments: [
        // Column on line 1 is the template's own, not the wrapped text's.
        ("<p>a</p><p>b &nbsp; c</p>", ["T:1:20: Entity 'nbsp' not defined"]),
        // The blanked doctype keeps line numbers.
        ("<!DOCTYPE html>\n<p>&nbsp;</p>", ["T:2:10: Entity 'nbsp' not defined"]),
        ("<div>\n<p>unclosed div\n", [
            "T:3:1: Opening and ending tag mismatch: p line 2 and end of template",
            "T:3:1: Premature end of data in tag div line 1",
        ]),
        ("{{#x}}<br>{{/x}}", ["T:1:17: Opening and ending tag mismatch: br line 1 and end of template"]),
        ("<p>ok</p>\n<p>extra</p></div>", ["T:2:19: end tag </div> without a matching start tag"]),
        ("text & more", ["T:1:7: xmlParseEntityRef: no name"]),
        ("<p class={{c}}>x</p>", [
            "T:1:10: AttValue: \" or ' expected",
            "T:1:10: Couldn't find end of Start Tag p line 1",
            "T:1:10: attributes construct error",
            "T:1:21: end tag </p> without a matching start tag",
        ]),
        ("<svg><foo:bar/></svg>", ["T:1:14: Namespace prefix foo on bar is not defined"]),
        // {{&raw}} and {{<parent}} are opaque; several top-level elements and text are fine; so is xlink:href.
        ("{{<layout}}{{$body}}<p title=\"{{&t}}\">{{&raw}}</p>{{/body}}{{/layout}}\n<p/>text<svg><use xlink:href=\"#a\"/></svg>", []),
        ("", []),
    ])
    func wrappedFragments(template: String, expected: [String]) {
        #expect(TemplateChecker.check(template: template, file: "T").map(\.description) == expected)
    }
}

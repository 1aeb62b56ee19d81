import Testing
@testable import PageValidation

@Suite("Page checks on fixture pages")
struct PageCheckTests {
    @Test func goodSiteHasNoDiagnostics() {
        #expect(SiteChecker.check(files: Fixtures.goodSite(), displayPrefix: "Site/") == [])
    }

    @Test func unclosedTagReportsLibxml2Messages() {
        #expect(Fixtures.checkPage("unclosed-tag.html") == [
            "Site/unclosed-tag.html:9:33: Opening and ending tag mismatch: em line 9 and p",
            "Site/unclosed-tag.html:11:8: Opening and ending tag mismatch: p line 9 and body",
            "Site/unclosed-tag.html:12:8: Opening and ending tag mismatch: body line 8 and html",
            "Site/unclosed-tag.html:13:1: Premature end of data in tag html line 2",
        ])
    }

    @Test func htmlNamedEntityIsUndefinedInXML() {
        // `&#160;` and `&amp;` on the same line are fine; libxml2's column is just after the `;`.
        #expect(Fixtures.checkPage("undefined-entity.html") == [
            "Site/undefined-entity.html:9:13: Entity 'nbsp' not defined",
        ])
    }

    /// Pages are read as UTF-8 whatever they start with: bytes that are not UTF-8 are reported
    /// where they are, and an XML declaration naming another encoding does not change that.
    @Test func pagesAreReadAsUTF8() {
        let head = Array("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/><title>t</title></head><body><p>a".utf8)
        let tail = Array("z</p></body></html>\n".utf8)
        let declared = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><p>".utf8) + [0xE9] + Array("</p></html>\n".utf8)
        let pages: [String: [UInt8]] = [
            "ff.html": head + [0xFF] + tail,
            "cut.html": head + [0xE2, 0x88] + tail,
            "overlong.html": head + [0xC0, 0xAF] + tail,
            "minus.html": head + [0xE2, 0x88, 0x92] + tail,
            "latin1.html": declared,
        ]
        #expect(SiteChecker.check(files: pages, displayPrefix: "").map(\.description) == [
            "cut.html:2:116: Input is not proper UTF-8, indicate encoding !\nBytes: 0xE2 0x88 0x7A 0x3C",
            "ff.html:2:116: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x7A 0x3C 0x2F",
            "latin1.html:2:57: Input is not proper UTF-8, indicate encoding !\nBytes: 0xE9 0x3C 0x2F 0x70",
            "overlong.html:2:116: Input is not proper UTF-8, indicate encoding !\nBytes: 0xC0 0xAF 0x7A 0x3C",
        ])
    }

    @Test func illFormedPageSkipsTheOtherChecks() {
        let page = Array("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<body><img src=\"gone.png\"/><p></body>\n</html>\n".utf8)
        #expect(SiteChecker.check(files: ["a.html": page], displayPrefix: "").map(\.description) == [
            "a.html:3:38: Opening and ending tag mismatch: p line 3 and body",
            "a.html:4:8: Opening and ending tag mismatch: body line 3 and html",
            "a.html:5:1: Premature end of data in tag html line 2",
        ])
    }

    @Test func duplicateID() {
        #expect(Fixtures.checkPage("duplicate-id.html") == [
            "Site/duplicate-id.html:11:1: duplicate id 'intro' (first at line 9)",
        ])
    }

    @Test func deadLinks() {
        #expect(Fixtures.checkPage("dead-link.html") == [
            "Site/dead-link.html:9:1: dead link 'missing.html'",
            "Site/dead-link.html:10:1: dead link 'layers/1/' (a directory; there is no index page)",
            "Site/dead-link.html:11:1: dead link '../index.html' (outside the site)",
            "Site/dead-link.html:12:1: dead link 'missing.png'",
        ])
    }

    @Test func deadAnchors() {
        #expect(Fixtures.checkPage("dead-anchor.html") == [
            "Site/dead-anchor.html:9:1: dead anchor 'layers/1/attention.html#nope'",
            "Site/dead-anchor.html:10:1: dead anchor '#nowhere'",
        ])
    }

    @Test func anchorIntoAnIllFormedPageIsNotAlsoReportedAsDead() {
        let broken = Array("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><p id=\"x\">\n</html>\n".utf8)
        var files = Fixtures.goodSite()
        files["broken.html"] = broken
        files["links.html"] = Array(String(decoding: Fixtures.bytes("site/index.html"), as: UTF8.self)
            .replacingOccurrences(of: "href=\"#top\"", with: "href=\"broken.html#x\"").utf8)
        let diagnostics = SiteChecker.check(files: files, displayPrefix: "").map(\.description)
        #expect(diagnostics == [
            "broken.html:3:8: Opening and ending tag mismatch: p line 2 and html",
            "broken.html:4:1: Premature end of data in tag html line 2",
        ])
    }

    @Test func remoteScript() {
        #expect(Fixtures.checkPage("remote-script.html") == [
            "Site/remote-script.html:7:1: remote script 'https://cdn.example.com/mathjax.js'",
        ])
    }

    @Test func remoteStylesheetAndOtherRemoteLink() {
        #expect(Fixtures.checkPage("remote-stylesheet.html") == [
            "Site/remote-stylesheet.html:6:1: remote stylesheet 'https://fonts.example.com/css?family=Serif'",
            "Site/remote-stylesheet.html:7:1: remote link 'https://example.com/favicon.ico'",
        ])
    }

    @Test func remoteURLsInCSS() {
        // The url() inside a CSS comment (line 8) is ignored; url(diagram.svg) resolves.
        #expect(Fixtures.checkPage("remote-css.html") == [
            "Site/remote-css.html:9:1: remote @import 'https://fonts.example.com/a.css'",
            "Site/remote-css.html:10:1: remote url() 'https://example.com/bg.png' in CSS",
            "Site/remote-css.html:15:1: dead link 'missing.png'",
            "Site/remote-css.html:16:1: dead anchor '#nope'",
        ])
    }

    @Test func svgWithoutTitle() {
        // The second svg has a <title> with only whitespace.
        #expect(Fixtures.checkPage("svg-without-title.html") == [
            "Site/svg-without-title.html:9:1: svg without <title>",
            "Site/svg-without-title.html:12:1: svg without <title>",
        ])
    }

    @Test func svgWithoutRole() {
        // An element's line is where its start tag ends (line 10 for the two-line <svg …> tag).
        #expect(Fixtures.checkPage("svg-without-role.html") == [
            "Site/svg-without-role.html:10:1: svg without role=\"img\"",
            "Site/svg-without-role.html:13:1: svg without role=\"img\"",
        ])
    }

    @Test func svgOfLinksMayBeAGroup() {
        // A figure that holds links is a group of controls (an image must not hold any).
        let page = Array("""
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/><title>t</title></head><body>
            <svg xmlns="http://www.w3.org/2000/svg" role="group" viewBox="0 0 10 10"><title>Stages</title><a href="a.html"><text>A</text></a></svg>
            </body></html>

            """.utf8)
        #expect(SiteChecker.check(files: ["a.html": page], displayPrefix: "").map(\.description) == [])
    }

    @Test func tableWithoutHeaders() {
        #expect(Fixtures.checkPage("table-without-headers.html") == [
            "Site/table-without-headers.html:9:1: table without header cells (<th>)",
        ])
    }

    @Test func tableWithoutCaption() {
        // aria-labelledby and aria-label are accepted; a blank caption is not; a dangling aria-labelledby is a dead reference.
        #expect(Fixtures.checkPage("table-without-caption.html") == [
            "Site/table-without-caption.html:10:1: table without <caption>, aria-label or aria-labelledby",
            "Site/table-without-caption.html:15:1: dead id reference 'missing' in aria-labelledby",
            "Site/table-without-caption.html:16:1: table without <caption>, aria-label or aria-labelledby",
        ])
    }

    @Test func imgWithoutAlt() {
        #expect(Fixtures.checkPage("img-without-alt.html") == [
            "Site/img-without-alt.html:9:1: img without alt",
        ])
    }

    @Test func outboundLinksInTheSourcesSectionAreAllowed() {
        // id="sources" or class token "sources"; http: and https: only.
        #expect(Fixtures.checkPage("sources-link.html") == [])
    }

    @Test func outboundLinksOutsideTheSourcesSection() {
        #expect(Fixtures.checkPage("outbound-link.html") == [
            "Site/outbound-link.html:9:1: outbound link 'https://example.com/' outside the sources section",
            "Site/outbound-link.html:10:1: link '//example.com/' in the sources section must be http: or https:",
            "Site/outbound-link.html:10:1: link 'mailto:someone@example.com' in the sources section must be http: or https:",
            "Site/outbound-link.html:11:1: outbound link 'https://example.com/' outside the sources section",
        ])
    }

    @Test func urlDecisions() {
        // href="#" is reported; data: is fine in <img src> only; javascript: and /absolute paths are reported;
        // "index.html#" and "?x=1" are accepted.
        #expect(Fixtures.checkPage("url-decisions.html") == [
            "Site/url-decisions.html:9:1: empty fragment '#'",
            "Site/url-decisions.html:10:1: javascript: URL 'javascript:void(0)'",
            "Site/url-decisions.html:12:1: data: URL not allowed here 'data:text/plain,hi'",
            "Site/url-decisions.html:13:1: site-absolute path '/index.html' (use a relative path)",
            "Site/url-decisions.html:14:1: remote resource '//cdn.example.com/x.png'",
        ])
    }

    @Test func doctypeLangTitleAndCharset() {
        #expect(Fixtures.checkPage("not-polyglot.html") == [
            "Site/not-polyglot.html:1:1: <html> without a lang attribute",
            "Site/not-polyglot.html:1:1: the file must start with <!DOCTYPE html>",
            "Site/not-polyglot.html:2:1: no <meta charset> in <head>",
            "Site/not-polyglot.html:3:1: empty <title>",
        ])
    }

    @Test func rootMustBeXHTMLHtml() {
        let page = Array("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>t</title></head></html>\n".utf8)
        #expect(SiteChecker.check(files: ["p.html": page], displayPrefix: "").map(\.description) == [
            "p.html:2:1: no <meta charset> in <head>",
            "p.html:2:1: no <title> in <head>",
            "p.html:2:1: the root element must be <html xmlns=\"http://www.w3.org/1999/xhtml\">",
        ])
    }

    @Test func idReferencesAndBase() {
        let page = Array("""
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="UTF-8"/><title>t</title>
        <base href="./"/>
        </head><body>
        <label for="name">Name</label><input id="field"/>
        <table aria-label="t"><tr><th id="h">h</th><td headers="h gone">1</td></tr></table>
        <div for="not-an-idref" aria-describedby="field">x</div>
        </body></html>
        """.utf8)
        #expect(SiteChecker.check(files: ["p.html": page], displayPrefix: "").map(\.description) == [
            "p.html:3:1: <base> is not allowed (it changes what relative links point to)",
            "p.html:5:1: dead id reference 'name' in for",
            "p.html:6:1: dead id reference 'gone' in headers",
        ])
    }

    @Test func nonHTMLFilesAreNotParsed() {
        var files = Fixtures.goodSite()
        files["style.css"] = Array("<<< not xml &nbsp;".utf8)
        files["broken.svg"] = Array("<svg><g></svg>".utf8)
        files["notes.htm"] = Array("<p>".utf8)
        #expect(SiteChecker.check(files: files, displayPrefix: "Site/") == [])
    }
}

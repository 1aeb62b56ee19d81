import Testing
@testable import SiteBuilder
import ModelFormats

@Suite struct MarkupTests {
    @Test func numbersUseATrueMinusAndNeverANegativeZero() {
        #expect(NumberFormat.short(-0.30123) == "−0.30")
        #expect(NumberFormat.short(-0.001) == "0.00")
        #expect(NumberFormat.short(1.831293, decimals: 4) == "1.8313")
        #expect(NumberFormat.exact(-0.2) == "−0.2")
        #expect(NumberFormat.exact(0) == "0")
    }

    @Test func tooltipsShowSixSignificantDigits() {
        // Float noise is gone; the exact values are in trace.json.
        #expect(NumberFormat.tooltip(0.1 + 0.2) == "0.3")
        #expect(NumberFormat.tooltip(0.7999999999999999) == "0.8")
        #expect(NumberFormat.tooltip(-0.33213417) == "−0.332134")
        #expect(NumberFormat.tooltip(1.8312926370471088) == "1.83129")
        #expect(NumberFormat.tooltip(-123.4567891) == "−123.457")
        #expect(NumberFormat.tooltip(9.9999996) == "10")
        #expect(NumberFormat.tooltip(0.000123456789) == "0.000123457")
        #expect(NumberFormat.tooltip(-0.0000123456789) == "−1.23457e−05")
        #expect(NumberFormat.tooltip(2_500_000) == "2.5e+06")
        #expect(NumberFormat.tooltip(0) == "0" && NumberFormat.tooltip(-0.0) == "0")
        #expect(NumberFormat.tooltip(.infinity) == "∞" && NumberFormat.tooltip(.nan) == "NaN")
    }

    @Test func percentagesKeepTwoSignificantDigitsBelowATenthOfAPercent() {
        #expect(NumberFormat.percent(0.4480) == "44.8%")
        #expect(NumberFormat.percent(0.0006) == "0.1%")
        #expect(NumberFormat.percent(0.0005) == "0.050%")     // 0.0% at one decimal (half to even)
        #expect(NumberFormat.percent(0.0000199) == "0.0020%")  // one in 50,257
        #expect(NumberFormat.percent(0.00000588) == "0.00059%")
        #expect(NumberFormat.percent(0.000004) == "0.00040%")
        #expect(NumberFormat.percent(0) == "0.0%")
        #expect(NumberFormat.percent(1) == "100.0%")
        #expect(NumberFormat.percent(.nan) == "NaN%")
    }

    @Test func smallProbabilitiesAndGradientsKeepTwoSignificantDigits() {
        #expect(NumberFormat.atLeastTwoDigits(0.4480) == "0.4480")
        #expect(NumberFormat.atLeastTwoDigits(-0.99998) == "−1.0000")
        #expect(NumberFormat.atLeastTwoDigits(0.0123) == "0.0123")
        #expect(NumberFormat.atLeastTwoDigits(0.000196) == "0.00020")     // 0.0002 at four decimals
        #expect(NumberFormat.atLeastTwoDigits(0.0000199) == "0.000020")    // 0.0000 at four decimals
        #expect(NumberFormat.atLeastTwoDigits(-0.0000588) == "−0.000059")
        #expect(NumberFormat.atLeastTwoDigits(0) == "0.0000")
        #expect(NumberFormat.decimals(showing: 4, of: 0.0577) == 5)
        #expect(NumberFormat.decimals(showing: 4, of: -0.5) == 4)
        #expect(NumberFormat.decimals(showing: 4, of: 123.4) == 1 && NumberFormat.decimals(showing: 4, of: 0) == 0)
    }

    @Test func escapingCoversTextAndAttributes() {
        #expect(Escape.html("<script>\"&'") == "&lt;script&gt;&quot;&amp;&#39;")
        #expect(Escape.html("🙂") == "🙂")
    }

    /// A table as `matrix-table.html` draws it.
    func render(_ table: MatrixTable) throws -> String {
        try TemplateSet.load(directory: nil).render("matrix-table", value: table.render())
    }

    @Test func smallMatrixTableRendersExactly() throws {
        var table = MatrixTable(caption: "x", values: [[-0.2, 0.3]], rowLabels: ["0 · <b>"], columnLabels: ["d0", "d1"])
        table.corner = "token"
        table.rowClasses = ["tok tok-0"]
        table.highlightRows = [0]
        #expect(try render(table) == """
        <div class="table-scroll" tabindex="0" role="region" aria-label="x"><table class="matrix">
        <caption>x</caption>
        <thead><tr><th scope="col">token</th><th scope="col">d0</th><th scope="col">d1</th></tr></thead>
        <tbody>
        <tr class="focus"><th scope="row" class="tok tok-0">0 · &lt;b&gt;</th><td title="−0.2">−0.20</td><td title="0.3">0.30</td></tr>
        </tbody>
        </table></div>
        """)
    }

    @Test func leanViewsLinkToTheTableWithAnEscapedNote() throws {
        var table = MatrixTable(caption: "x", values: [[1], [2]], rowLabels: ["a", "b"], columnLabels: ["d0"])
        table.onlyRows = [1]
        table.rowsNote = Note(text: "the row of “b”; all on ", link: (text: "the view of “<a>”", href: "x-t1.html"), tail: " & more")
        #expect(try render(table).contains("<caption>x <span class=\"note\">(the row of “<bdi>b</bdi>”; all on <a href=\"x-t1.html\">the view of “<bdi>&lt;a&gt;</bdi>”</a> &amp; more)</span></caption>"))
        #expect(try render(table).contains("<tbody>\n<tr><th scope=\"row\">b</th><td title=\"2\">2.00</td></tr>\n</tbody>"))
        let elsewhere = TableContext(elsewhere: Note(text: "The table of W_1 is on ", link: (text: "the view", href: "mlp.html"), tail: "."))
        #expect(try TemplateSet.load(directory: nil).render("matrix-table", value: elsewhere)
                == "<p class=\"note\">The table of W_1 is on <a href=\"mlp.html\">the view</a>.</p>")
    }

    @Test func largeMatricesAreTruncatedWithANote() throws {
        let values = (0..<40).map { r in (0..<30).map { Double(r * 100 + $0) } }
        let table = MatrixTable(caption: "big", values: values, rowLabels: (0..<40).map { "r\($0)" }, columnLabels: (0..<30).map { "c\($0)" })
        let html = try render(table)
        #expect(html.contains("(40×30, showing a part; every value is in trace.json)"))
        #expect(html.contains(">r11<") && !html.contains(">r12<") && html.contains(">r39<"))
        #expect(html.contains("<th scope=\"col\" class=\"gap\">…</th>"))
        #expect(MatrixTable.shown(20, keep: [15]) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, nil, 15, nil, 17, 18, 19])
    }

    @Test func workedSumsWriteNegativesInParentheses() throws {
        let templates = try TemplateSet.load(directory: nil)
        #expect(try templates.render("worked-sum", value: WorkedSum.dot([0.5, -0.25], [-1, 2], result: -1)) == "0.50 × (−1.00) + (−0.25) × 2.00 = −1.0000")
        #expect(try templates.render("worked-sum", value: WorkedSum.dot([1], [2], bias: -0.5, result: 1.5)) == "1.00 × 2.00 + (−0.50) (bias) = 1.5000")
        let long = try templates.render("worked-sum", value: WorkedSum.dot(Array(repeating: 1, count: 12), Array(repeating: 2, count: 12), result: 24))
        #expect(long == "1.00 × 2.00 + 1.00 × 2.00 + 1.00 × 2.00 + 1.00 × 2.00 + 1.00 × 2.00 + 1.00 × 2.00 + … (4 more terms) + 1.00 × 2.00 + 1.00 × 2.00 = 24.0000")
        #expect(WorkedSum.vector([-0.2, 0.3]) == "[ −0.20, 0.30 ]")
    }

    /// Every long sum is shortened by one rule, which makes only the parts it shows (a GPT-2
    /// softmax has 50,257 terms): the first 6, "… N more", the last 2.
    @Test func longSumsShowTheirFirstSixAndLastTwoParts() {
        var made: [Int] = []
        let text = WorkedSum.shortened(50_257, separator: " + ") { made.append($0); return "x\($0)" }
        #expect(text == "x0 + x1 + x2 + x3 + x4 + x5 + … 50249 more + x50255 + x50256")
        #expect(made == [0, 1, 2, 3, 4, 5, 50255, 50256])
        #expect(WorkedSum.shortened(10, separator: ", ") { String($0) } == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9")
        #expect(WorkedSum.shortened(11) == [0, 1, 2, 3, 4, 5, 9, 10])
        #expect(WorkedSum.squares([0.5, -0.25]) == "0.50² + (−0.25)²")
        #expect(WorkedSum.joinedSum(Array(repeating: 1, count: 11)) == "1.00 + 1.00 + 1.00 + 1.00 + 1.00 + 1.00 + … 3 more + 1.00 + 1.00")
    }

    /// GPT-2-sized weights (~0.02) get the decimals that show two significant digits of the
    /// largest shown one; the other side keeps 2. A hidden term does not count.
    @Test func workedSumsShowSmallWeightsToTwoSignificantDigits() throws {
        let templates = try TemplateSet.load(directory: nil)
        #expect(try templates.render("worked-sum", value: WorkedSum.dot([1.5, -0.4], [0.0153, -0.0241], result: 0.0326)) == "1.50 × 0.015 + (−0.40) × (−0.024) = 0.0326")
        let hidden = [0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.9, 0.001, 0.001, 0.001, 0.001]
        let sum = try templates.render("worked-sum", value: WorkedSum.dot(Array(repeating: 1, count: 11), hidden, result: 0.91))
        #expect(sum.hasPrefix("1.00 × 0.0010 + "), "\(sum)")
        // Backprop's dL/dlogit: the target's −1 beside the others' tiny probabilities.
        let each = WorkedSum.dot([-0.9998, 0.000198, 0.0000016], [-0.007, -0.024, 0.04], result: 0.0071, eachLeftItsOwn: true)
        #expect(try templates.render("worked-sum", value: each) == "(−1.00) × (−0.007) + 0.00020 × (−0.024) + 0.0000016 × 0.040 = 0.0071")
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256Digest.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex(Array(String(repeating: "a", count: 1000).utf8)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        // In pieces of every awkward size: the same digest as at once.
        let thousand = Array(String(repeating: "a", count: 1000).utf8)
        for size in [1, 7, 55, 56, 63, 64, 65, 128, 999] {
            var hash = SHA256Digest()
            for start in stride(from: 0, to: thousand.count, by: size) { hash.update(Array(thousand[start..<min(start + size, thousand.count)])) }
            #expect(hash.hexDigest() == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3", "pieces of \(size)")
        }
    }
}

@Suite struct QuotedWordsTests {
    @Test func quotedModelWordsAreIsolatedInCaptionsAndNotes() {
        #expect(Phrase.split("the row of “on”, then “عالم” here") == [
            Phrase(text: "the row of “", word: false), Phrase(text: "on", word: true),
            Phrase(text: "”, then “", word: false), Phrase(text: "عالم", word: true),
            Phrase(text: "” here", word: false),
        ])
        #expect(Phrase.split("no quotes") == [Phrase(text: "no quotes", word: false)])
        #expect(Phrase.split("an unclosed “quote") == [Phrase(text: "an unclosed “quote", word: false)])
        #expect(Phrase.split("“”") == [Phrase(text: "“", word: false), Phrase(text: "", word: true), Phrase(text: "”", word: false)])
    }
}

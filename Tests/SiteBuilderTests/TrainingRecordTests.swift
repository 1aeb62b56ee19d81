import Diagnostics
import Foundation
import Testing
@testable import SiteBuilder

/// The training page of a checkpoint sitegen train made (Models/tiny, with its training.json):
/// the run's curve and what the run was, beside the one-prompt run; and the chapter's recap.
@Suite struct TrainingRecordTests {
    @Test func theTinyModelsPageShowsItsTrainingRun() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        try SiteBuild.run(options(model: RepoPaths.path("Models/tiny"), output: folder.path, text: "the cat sat on the", target: " mat"))
        let page = try String(contentsOfFile: folder.sub("training.html"), encoding: .utf8)
        #expect(page.contains("<h2>How this checkpoint was trained</h2>"))
        #expect(page.contains("sitegen train trained this checkpoint on Corpus/cats-and-dogs.txt for 2,000 steps, each a batch of 16 windows of 64 tokens (bpe tokenizer): 2,048,000 tokens seen, drawn from a training split of 18,288 tokens. At step 2000 the train loss is 0.4385 and the validation loss, on the 2,032 held-out tokens it never trained on, is 0.6903, against 2.9914 for the best guess that ignores the context (the held-out text&#39;s unigram entropy)."))
        // The chart: both series, a legend, accessible title and description, a value per point.
        #expect(page.contains("role=\"img\" aria-labelledby=\"training-run-title training-run-desc\""))
        #expect(page.contains("<title id=\"training-run-title\">Loss against step, as sitegen train logged it</title>"))
        #expect(page.contains("Train loss from 6.0176 at step 1 to 0.4385 at step 2000; validation loss from 6.0075 to 0.6903."))
        #expect(page.contains("class=\"figure-legend\""))
        #expect(page.contains("<title>step 40, train: 3.60098</title>"))
        #expect(page.contains("<title>step 2000, validation: 0.690344</title>"))
        #expect(page.contains("aria-labelledby=\"training-run-tail-title training-run-tail-desc\""))
        #expect(page.contains("<title id=\"training-run-tail-title\">Loss from step 200 on</title>"))
        // The table of logged steps: 51 rows; the validation loss every 200 steps (a dash between).
        #expect(page.contains("<tr><td class=\"num\">40</td><td class=\"num\">3.6010</td><td class=\"num\">–</td></tr>"))
        #expect(page.contains("<tr><td class=\"num\">200</td><td class=\"num\">0.7508</td><td class=\"num\">0.7663</td></tr>"))
        #expect(page.components(separatedBy: "<tr><td class=\"num\">").count - 1 == 51)
        // The one-prompt run is still there, and the chapter ends with a recap and a next step.
        #expect(page.contains("<h2>The loss and the target's probability</h2>"))
        #expect(page.contains("<h2>The chapter in four steps</h2>"))
        #expect(page.contains("<a href=\"generate.html\">write a continuation</a>"))
        #expect(page.contains("<a href=\"playground.html\">playground</a>"))
        #expect(page.contains("<code>sitegen train CORPUS.txt --output DIR</code>"))
    }

    @Test func aModelWithoutARecordHasNoRunSectionButTheRecap() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        try SiteBuild.run(options(output: folder.path))
        let page = try String(contentsOfFile: folder.sub("training.html"), encoding: .utf8)
        #expect(!page.contains("How this checkpoint was trained"))
        #expect(page.contains("<h2>The chapter in four steps</h2>"))
        #expect(page.contains("<h2>Where next</h2>"))
    }

    @Test func aBadRecordIsOneMessage() {
        func message(_ json: String) -> String? {
            do { _ = try TrainingRecord.parse(Data(json.utf8), file: "DIR/training.json"); return nil } catch { return error.description }
        }
        let good = try! String(contentsOfFile: RepoPaths.path("Models/tiny/training.json"), encoding: .utf8)
        #expect(message(good) == nil)
        #expect(message("{") == "DIR/training.json: is not valid JSON, expected the training log sitegen train writes")
        #expect(message(good.replacingOccurrences(of: "\"train_tokens\"", with: "\"train_tokenz\"")) == "DIR/training.json: train_tokens is missing, expected the field sitegen train writes")
        #expect(message(good.replacingOccurrences(of: "\"step\": 40,", with: "\"step\": \"40\",")) == "DIR/training.json: log[1].step has the wrong type, expected what sitegen train writes")
        #expect(message(good.replacingOccurrences(of: "\"step\": 40,", with: "\"step\": 1,")) == "DIR/training.json: log[1].step is 1, expected steps that increase from 0 or more")
    }
}

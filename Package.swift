// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sitegen",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sitegen", targets: ["sitegen"]),
        .library(name: "TransformerEngine", targets: ["TransformerEngine"]),
        .library(name: "ModelFormats", targets: ["ModelFormats"]),
        .library(name: "SiteBuilder", targets: ["SiteBuilder"]),
        .library(name: "Checkpoints", targets: ["Checkpoints"]),
        .library(name: "Training", targets: ["Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // One problem with an input (file, line, column, field, message), for every target, with
        // the paths and system error texts messages are made of.
        //
        // Every target imports FoundationEssentials, not Foundation: the whole of Foundation
        // (NSString, formatters, ICU) doubled the binary to 99 MB and its 6,000 conformance
        // records, which the runtime scans at the first cast of each type.
        .target(name: "Diagnostics"),
        // The engine: the model's maths on tensors, forward, backward and training. No file formats.
        .target(name: "TransformerEngine", dependencies: ["Diagnostics", "CMatrixKernel"]),
        // The file formats: the model file (JSON, with file:line:col diagnostics) or a GPT-2
        // checkpoint (as the engine's Model) in, trace.json out. SHA-256 from swift-crypto.
        .target(name: "ModelFormats", dependencies: ["TransformerEngine", "Diagnostics", "Checkpoints",
                                                     .product(name: "Crypto", package: "swift-crypto")]),
        // Its matrix product with AVX2 (four doubles a register), for processors that have it;
        // for training, glibc's vector exp and tanh (libmvec); for checkpoints, F32 → Double.
        .target(name: "CMatrixKernel", linkerSettings: [.linkedLibrary("mvec", .when(platforms: [.linux]))]),

        // Reads Hugging Face GPT-2 checkpoints (config.json, safetensors, byte-level BPE).
        // FoundationEssentials, and the kernel file's F32 → Double widening.
        .target(name: "Checkpoints", dependencies: ["Diagnostics", "CMatrixKernel"]),

        // sitegen train: a GPT-2 trained on a text with the engine's backward pass, written as a checkpoint.
        .target(name: "Training", dependencies: ["TransformerEngine", "Checkpoints", "CMemoryPolicy", "CMatrixKernel"]),
        // glibc's malloc told to keep freed blocks for reuse (training frees and reallocates the same arrays every step).
        .target(name: "CMemoryPolicy"),

        // libxml2 (Debian's libxml2-dev) behind a system-library target.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // XML well-formedness, template and page checks on top of libxml2.
        .target(name: "PageValidation", dependencies: ["Diagnostics", "CLibXML2"]),

        // Renders the engine's trace into the static site.
        .target(
            name: "SiteBuilder",
            dependencies: [
                "Diagnostics",
                "TransformerEngine",
                "ModelFormats",
                "PageValidation",
            ],
            // The default templates and seed model, compiled into the binary (byte arrays), so
            // an installed `sitegen` needs no other file. Both are symlinks to the repository's
            // own Templates/ and Models/seed.json: one copy of each.
            resources: [.embedInCode("Defaults/Templates"), .embedInCode("Defaults/seed.json")]
        ),

        // The thin command-line front end.
        .executableTarget(
            name: "sitegen",
            dependencies: [
                "SiteBuilder",
                "Diagnostics",
                "PageValidation",
                "TransformerEngine",
                "Training",
                "Checkpoints",
                "CMemoryPolicy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The engine on a GPT-2-small-shaped checkpoint: forward-pass time, GFLOP/s against the
        // machine's peak, and the learning chapter's exact gradient (Benchmarks/bench_scale.py runs it).
        .executableTarget(name: "engine-bench", dependencies: ["TransformerEngine", "ModelFormats", "Checkpoints", "CMemoryPolicy"], path: "Benchmarks/EngineBench"),

        .testTarget(name: "TransformerEngineTests", dependencies: ["Diagnostics", "TransformerEngine", "ModelFormats"]),
        .testTarget(name: "PageValidationTests", dependencies: ["Diagnostics", "PageValidation"], exclude: ["Fixtures"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "TransformerEngine"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Checkpoints", "TransformerEngine"]),
        .testTarget(name: "SiteBuilderTests", dependencies: ["SiteBuilder", "Diagnostics", "TransformerEngine", "ModelFormats", "PageValidation"]),
    ],
    swiftLanguageModes: [.v6]
)

@testable import Filters
import Foundation
import Testing
import TestSupport

/// The prefilter (libmagic with the rules a sample cannot match switched off) must give the
/// verdict of libmagic's full analysis on everything: libmagic's own answer is compared, type
/// and charset, which is all a chain's decisions read (the chains themselves are compared in
/// SluiceTests' ExampleChainsParityTests).
@Suite struct MagicPrefilterTests {
    static let full = MagicPool(database: MagicDatabase.system(), prefilter: false)
    static let prefiltered = MagicPool(database: MagicDatabase.system())

    static func mayBeText(_ sample: UnsafeRawBufferPointer) -> Bool {
        var pairs = SampleBytePairs()
        return pairs.record(sample)
    }

    /// The alternatives a regex requires, sorted and joined by `|`; nil for none.
    func literal(regex: String) -> String? {
        let bytes = Array(regex.utf8)
        return bytes.withUnsafeBytes { pattern -> String? in
            var parser = RegexLiteralParser(pattern)
            let requirement = parser.sequence()
            guard parser.isAtEnd, !requirement.alternatives.isEmpty else { return nil }
            return requirement.alternatives.map { String(decoding: $0, as: UTF8.self) }.sorted().joined(separator: "|")
        }
    }

    @Test func aRegexRequiresTheLongestRunsNoMatchCanDoWithout() {
        #expect(literal(regex: "^(import|export).* from ") == " from ")
        #expect(literal(regex: "^[!-?A-~]{1,255}(\t[^\t]+){11}") == "\t")
        #expect(literal(regex: "\\(;.*GM\\[[0-9]{1,2}\\]") == "gm[")
        #expect(literal(regex: "^\\.(BEGIN|endif|include)") == "begin|endif|include")
        #expect(literal(regex: "^[[:space:]]*(class|module)[[:space:]][A-Z]") == "class|module")
        #expect(literal(regex: "^(CFLAGS|VPATH|LDFLAGS|all:|\\.PRECIOUS)") == ".precious|all:|cflags|ldflags|vpath")
        #expect(literal(regex: "^(:|;)") == ":|;")
        #expect(literal(regex: "abc|defg") == "abc|defg")
        #expect(literal(regex: "ab+cd") == "ab")
        #expect(literal(regex: "x{0,3}yz?w") == "y")
        #expect(literal(regex: "[]ab]cde[[:space:]]") == "cde")
        #expect(literal(regex: "(abc)?de") == "de")
        #expect(literal(regex: "(abcdef)*de") == "de")
        #expect(literal(regex: "(ab|)cd") == "cd")
        #expect(literal(regex: "ab|c*") == nil)
        #expect(literal(regex: "\\bREF\\w") == "ref")
        #expect(literal(regex: "a)b") == nil)  // the parser stops at the stray `)`: nothing is claimed
    }

    @Test func theDatabaseIsReadAndMostRulesCanBeGated() throws {
        let prefilter = try #require(Self.prefiltered.prefilter, "Debian's compiled database is version 18, the layout the prefilter reads")
        // 2,497 of Debian 12's 3,548 rules; the rest test numbers or have no fixed run.
        #expect(prefilter.gates.count > 1000)
    }

    @Test func onlySamplesThatMayBeTextArePrefiltered() {
        func mayBeText(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes(Self.mayBeText) }
        #expect(mayBeText(Array("plain\ttext\r\n\u{1B}[0m caf\u{E9}".utf8)))
        #expect(mayBeText([0x63, 0x61, 0x66, 0xE9]))  // ISO-8859-1
        #expect(!mayBeText([0xFF, 0xFE, 0x41, 0x00]))  // UTF-16 with NULs
        #expect(!mayBeText([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(!mayBeText([0x41, 0x7F]))
    }

    /// Short texts of the kinds the database's regular expressions and searches recognise.
    static let texts = [
        "export default function upload() {}\n", "const fs = require('fs');\nmodule.exports = {};\n",
        "import { x } from './x.js';\n", "#include <stdio.h>\nint main(void) { return 0; }\n",
        "CFLAGS = -O2\nall:\n\tcc -o x x.c\n", ".TH SLUICE 1\n.SH NAME\nsluice \\- uploads\n",
        "1\n00:00:01,000 --> 00:00:02,000\nHello\n", "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        "<!DOCTYPE html>\n<html><head><title>x</title></head></html>\n", "BEGIN { FS = \",\" }\n{ print $1 }\n",
        "(ns sluice.core\n  (:require [clojure.string :as s]))\n", "import java.util.List;\npublic class X {}\n",
        "\t.text\n\t.globl main\nmain:\n\tret\n", "#!/usr/bin/env python3\nprint('hi')\n", "#!/bin/sh\necho hi\n",
        "<?php echo 'hi'; ?>\n", "From: a@example.com\nSubject: hi\n\nbody\n", "%!PS-Adobe-3.0\n%%EndComments\n",
        "\\documentclass{article}\n\\begin{document}\nx\n\\end{document}\n", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n",
        "r1\t0\tchr1\t100\t60\t10M\t*\t0\t0\tACGTACGTAC\tIIIIIIIIII\n", "class Upload < ApplicationRecord\nend\n",
        "package main\n\nimport \"fmt\"\n", "[Desktop Entry]\nName=Sluice\n", "-----BEGIN PGP SIGNATURE-----\n",
        "{\"a\": [1, 2, {\"b\": null}]}\n", "name,size\nphoto.jpg,1024\nnotes.txt,12\n", "caf\u{E9} cr\u{E8}me br\u{FB}l\u{E9}e\n",
    ]

    @Test func theVerdictIsLibmagicsOnTextsTheRegularExpressionsRecognise() throws {
        var latin1 = Array("caf".utf8) + [0xE9] + Array(" au lait, cr".utf8) + [0xE8, 0x6D, 0x65, 0x0A]
        latin1 += Array("#!/bin/sh\n".utf8)
        for bytes in Self.texts.map({ Array($0.utf8) }) + [latin1] {
            let (mayBeText, verdict, expected) = try bytes.withUnsafeBytes { sample in
                (Self.mayBeText(sample), try Self.prefiltered.identify(sample), try Self.full.identify(sample))
            }
            #expect(mayBeText)
            #expect(verdict == expected, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test func aCopyOfTheDatabaseIsMadeForTextOnly() throws {
        let pool = MagicPool(database: MagicDatabase.system())
        let png = try Fixtures.bytes("image.png")
        #expect(try png.withUnsafeBytes(pool.identify).hasPrefix("image/png"))
        #expect(pool.prefilteredHandles == 0)
        let text = Array("2026-12-07 INFO uploads are sniffed\n".utf8)
        #expect(try text.withUnsafeBytes(pool.identify).hasPrefix("text/plain"))
        #expect(pool.prefilteredHandles == 1)
    }

    @Test func theVerdictIsLibmagicsOnTheFixturesAndTheSystemsFiles() throws {
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path).sorted().map(Fixtures.path)
        let files = fixtures + SystemFiles.sample(perRoot: 150)
        #expect(files.count > 1000)
        var compared = 0, text = 0, differences: [String] = []
        for path in files {
            guard let handle = FileHandle(forReadingAtPath: path) else { continue }
            let data = (try? handle.read(upToCount: 64 << 10)) ?? nil
            try? handle.close()
            guard let bytes = data.map(Array.init), !bytes.isEmpty else { continue }
            // The whole window, and a short file's worth, as a 1 KiB upload would be sniffed.
            for window in [bytes, Array(bytes.prefix(1024))] {
                try window.withUnsafeBytes { sample in
                    let expected = try Self.full.identify(sample)
                    let verdict = try Self.prefiltered.identify(sample)
                    if verdict != expected { differences.append("\(path) (\(window.count) bytes): \(verdict), libmagic: \(expected)") }
                    if Self.mayBeText(sample) { text += 1 }
                    compared += 1
                }
            }
        }
        #expect(differences.count == 0, "\(differences.count) of \(compared) differ:\n\(differences.prefix(20).joined(separator: "\n"))")
        #expect(text > 500, "only \(text) of \(compared) samples took the prefiltered path")
    }
}

import Foundation
import Testing
import VigilCore

@Suite struct UUIDTextTests {
    @Test func theLowercaseTextIsFoundationsLowercased() throws {
        let fixed = try #require(UUID(uuidString: "5F1C2A3E-0000-4000-8000-00000000000A"))
        #expect(fixed.lowercasedText == "5f1c2a3e-0000-4000-8000-00000000000a")
        let zero = try #require(UUID(uuidString: "00000000-0000-0000-0000-000000000000"))
        #expect(zero.lowercasedText == "00000000-0000-0000-0000-000000000000")
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(id.lowercasedText == id.uuidString.lowercased())
        }
    }

    @Test func textReadsAsFoundationReadsItFromAStringOrASlice() throws {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(UUID(text: id.uuidString) == id)
            #expect(UUID(text: "/ping/\(id.lowercasedText)/fail".split(separator: "/")[1]) == id)
        }
        for text in ["", "5f1c2a3e-0000-4000-8000-00000000000", "5f1c2a3e-0000-4000-8000-00000000000g",
                     "5f1c2a3e00000-4000-8000-00000000000a", "5f1c2a3e-0000-4000-8000-00000000000a0", "ping"] {
            #expect(UUID(text: text) == nil)
            #expect(UUID(uuidString: text) == nil)
        }
    }

    @Test func theUppercaseTextIsFoundationsUUIDString() throws {
        let fixed = try #require(UUID(uuidString: "5f1c2a3e-0000-4000-8000-00000000000a"))
        #expect(fixed.uppercasedText == "5F1C2A3E-0000-4000-8000-00000000000A")
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(id.uppercasedText == id.uuidString)
        }
    }
}

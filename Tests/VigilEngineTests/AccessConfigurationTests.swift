import Foundation
import Testing
import VigilCore

@testable import VigilEngine

@Suite("auth and api_keys: configuration")
struct AccessConfigurationTests {
    func mistakes(in text: String) -> [String] {
        do {
            let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
            Issue.record("expected mistakes, loaded \(configuration)")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test("by default every API needs a key, and there are no declared keys")
    func defaults() throws {
        let configuration = try ConfigurationLoader.parse("listen: 127.0.0.1:8080\n", fileName: "vigil.yml")
        #expect(configuration.access.required)
        #expect(configuration.access.keys.isEmpty)
    }

    @Test("keys are kept as SHA-256 digests, whether given as the key or as its digest")
    func keys() throws {
        let digest = APIKey.hash("vigil_grafana-key-123456")
        let text = """
            api_keys:
              - name: grafana
                key_sha256: \(digest.uppercased())
                read_only: true
              - name: ci
                key: vigil_ci-key-1234567890
            """
        let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
        #expect(configuration.access.keys == [
            ConfiguredAPIKey(name: "grafana", hash: digest, readOnly: true),
            ConfiguredAPIKey(name: "ci", hash: APIKey.hash("vigil_ci-key-1234567890"), readOnly: false),
        ])
    }

    @Test("auth: off is allowed on loopback only")
    func authOff() throws {
        let loopback = try ConfigurationLoader.parse("listen: 127.0.0.1:8080\nauth: off\n", fileName: "vigil.yml")
        #expect(!loopback.access.required)
        let open = mistakes(in: "listen: 0.0.0.0:8080\nauth: off\n")
        #expect(open == [
            "vigil.yml:2: auth: off is allowed only on a loopback listener, and listen is 0.0.0.0:8080 — remove"
                + " \"auth: off\" and use API keys (vigil keys create), or listen on 127.0.0.1"
        ])
    }

    @Test("mistakes in api_keys name the key and what to do")
    func keyMistakes() {
        let found = mistakes(in: """
            auth: maybe
            api_keys:
              - name: short
                key: abc
              - name: digest
                key_sha256: not-hex
              - key: vigil_nameless-key-000001
              - name: twice
                key: vigil_twice-key-00000001
              - name: twice
                key: vigil_twice-key-00000002
              - name: typo
                key: vigil_typo-key-000000001
                readonly: true
            """)
        #expect(found.contains("vigil.yml:1: auth \"maybe\" is not known — use on (the default) or off"))
        #expect(found.contains { $0.hasPrefix("vigil.yml:4: api key 1: key is too short") })
        #expect(found.contains { $0.hasPrefix("vigil.yml:6: api key 2: key_sha256 must be 64 hex digits") })
        #expect(found.contains { $0.contains("api key 3 has no name") })
        #expect(found.contains { $0.contains("name \"twice\" is already used") })
        #expect(found.contains { $0.contains("unknown key \"readonly\" in api key 6 — did you mean \"read_only\"?") })
    }
}

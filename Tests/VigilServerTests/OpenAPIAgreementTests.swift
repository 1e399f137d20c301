import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VigilCore
import VigilEngine
import VigilServer
import VigilStore

/// The OpenAPI document and the routes agree: the same operations, and each answers as documented.
@Suite struct OpenAPIAgreementTests {
    static let key = "vigil_openapi-agreement-key-01"

    static var document: [String: Any] {
        get throws {
            try #require(JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        }
    }

    static func documentedOperations() throws -> Set<Route> {
        let paths = try #require(try document["paths"] as? [String: [String: Any]])
        var routes: Set<Route> = []
        for (path, operations) in paths {
            for method in operations.keys { routes.insert(Route(method: method.uppercased(), path: path)) }
        }
        return routes
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() async throws {
        let api = try await PingAPI.start([])
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let table = RouteTable()
        _ = buildRouter(engine: api.engine, pingBodyLimit: 1_000, gate: .open, routeTable: table)
        let routed = Set(table.all)
        let documented = try Self.documentedOperations()
        #expect(!routed.isEmpty)
        #expect(routed.subtracting(documented).isEmpty, "routes missing from the document: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
    }

    @Test func everyOperationAnswersWithADocumentedStatusAndTheRequiredFields() async throws {
        let api = try await PingAPI.start([PingAPI.hourly("declared")])
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let gate = Gate(
            settings: AccessSettings(keys: [ConfiguredAPIKey(name: "rw", hash: APIKey.hash(Self.key), readOnly: false)]),
            store: api.store
        )
        let app = Application(router: buildRouter(engine: api.engine, pingBodyLimit: 1_000, gate: gate))
        try await app.test(.router) { client in
            let document = try Self.document
            let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
            let schemas = try #require(
                (document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]]
            )
            // A monitor of the API's own, with progress and an incident to read.
            let created = try await client.execute(
                uri: "/api/v1/monitors", method: .post,
                headers: [HTTPField.Name("X-Api-Key")!: Self.key, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"slug": "subject", "every": "1h"}"#)
            )
            #expect(created.status == .created)
            try await client.ping("/ping/\(try api.key("subject"))", expect: .ok, limit: 1_000)
            try await client.ping("/ping/\(try api.key("subject"))/fail", expect: .ok, limit: 1_000)
            let incident = try #require(try await api.engine.incidents(of: nil, limit: 1).first)
            let values = ["slugOrKey": "subject", "id": incident.id.uuidString.lowercased()]
            // Deleting goes last, so that the other operations still find the monitor.
            let operations = paths.flatMap { path, methods in methods.map { (path, $0.key, $0.value) } }
                .sorted { ($0.1 == "delete" ? 1 : 0, $0.0, $0.1) < ($1.1 == "delete" ? 1 : 0, $1.0, $1.1) }
            for (path, method, operation) in operations {
                var uri = path
                for (name, value) in values { uri = uri.replacingOccurrences(of: "{\(name)}", with: value) }
                var body: ByteBuffer?
                if method == "patch" { body = ByteBuffer(string: #"{"desc": "agreement"}"#) }
                let response = try await client.execute(
                    uri: uri, method: HTTPRequest.Method(rawValue: method.uppercased())!,
                    headers: [HTTPField.Name("X-Api-Key")!: Self.key, .contentType: "application/json"], body: body
                )
                let responses = try #require(operation["responses"] as? [String: [String: Any]])
                let status = String(response.status.code)
                #expect(responses[status] != nil, "\(method.uppercased()) \(uri) answered \(status), documented \(responses.keys.sorted())")
                guard response.status.code < 300, let documentedResponse = responses[status],
                    let content = documentedResponse["content"] as? [String: [String: Any]],
                    let schema = content["application/json"]?["schema"] as? [String: Any]
                else { continue }
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
                Self.check(json, against: schema, schemas: schemas, at: "\(method.uppercased()) \(uri)")
            }
            // Unauthenticated, every operation is refused as documented.
            for (path, method, operation) in operations {
                var uri = path
                for (name, value) in values { uri = uri.replacingOccurrences(of: "{\(name)}", with: value) }
                let response = try await client.execute(uri: uri, method: HTTPRequest.Method(rawValue: method.uppercased())!)
                #expect(response.status == .unauthorized, "\(method.uppercased()) \(uri) without a key")
                #expect((operation["responses"] as? [String: Any])?["401"] != nil, "\(method) \(path) documents no 401")
            }
        }
    }

    /// Checks the required fields and the types of objects and arrays, following `$ref`s.
    static func check(_ value: Any, against schema: [String: Any], schemas: [String: [String: Any]], at place: String) {
        var schema = schema
        if let ref = schema["$ref"] as? String, let name = ref.split(separator: "/").last.map(String.init) {
            schema = schemas[name] ?? [:]
        }
        switch schema["type"] as? String {
        case "array":
            guard let array = value as? [Any] else {
                Issue.record("\(place): expected an array")
                return
            }
            if let items = schema["items"] as? [String: Any] {
                for item in array { check(item, against: items, schemas: schemas, at: place) }
            }
        case "object":
            guard let object = value as? [String: Any] else {
                Issue.record("\(place): expected an object")
                return
            }
            for field in schema["required"] as? [String] ?? [] where object[field] == nil {
                Issue.record("\(place): the documented required field \(field) is missing")
            }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for (name, property) in properties {
                guard let field = object[name], !(field is NSNull) else { continue }
                check(field, against: property, schemas: schemas, at: "\(place).\(name)")
            }
        default:
            return
        }
    }
}

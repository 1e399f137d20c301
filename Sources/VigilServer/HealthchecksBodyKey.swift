import Foundation
import Hummingbird

/// Takes the API key from a POST body's `api_key` field when no key came in a header, as healthchecks.io allows for
/// scripts that cannot set headers; `RequireAccess` then judges it like any other key.
struct HealthchecksBodyKey: RouterMiddleware {
    typealias Context = VigilRequestContext

    let gate: Gate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .post, context.access == nil, !context.presentedUnknownKey else {
            return try await next(request, context)
        }
        var request = request
        let buffer: ByteBuffer
        do {
            // Collected into the request, so the handler reads the same body again.
            buffer = try await request.collectBody(upTo: HealthchecksCheckInput.bodyLimit)
        } catch {
            return ErrorBody.healthchecks(
                .contentTooLarge, "the request body is larger than \(HealthchecksCheckInput.bodyLimit / 1024) KiB")
        }
        var context = context
        if case .object(let fields)? = try? JSONDecoder().decode(HealthchecksJSON.self, from: Data(buffer: buffer)),
           case .string(let key)? = fields["api_key"]
        {
            context.access = await gate.access(forKey: key)
            context.presentedUnknownKey = context.access == nil
        }
        return try await next(request, context)
    }
}

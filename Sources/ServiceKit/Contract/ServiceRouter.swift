import HTTPTypes
import Hummingbird

/// The router a service adds its routes to: Hummingbird's router, recording every route it registers so the
/// contract tests can compare what a service serves with what its contract declares.
public final class ServiceRouter: RouterMethods {
    public typealias Context = ServiceRequestContext

    /// One served route: a method and a path template with `{name}` parameters.
    public struct Route: Hashable, Sendable, CustomStringConvertible {
        public let method: String
        public let path: String
        public var description: String { "\(method) \(path)" }
    }

    public let router: Router<ServiceRequestContext>
    /// Every route registered through this router, in order.
    public private(set) var served: [Route] = []

    public init(_ router: Router<ServiceRequestContext>) {
        self.router = router
    }

    @discardableResult
    public func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == ServiceRequestContext {
        served.append(Route(method: method.rawValue, path: path.description))
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult
    public func add(middleware: any MiddlewareProtocol<Request, Response, ServiceRequestContext>) -> Self {
        router.add(middleware: middleware)
        return self
    }

    /// Registers the handler of a declared endpoint at the endpoint's method and full path.
    @discardableResult
    public func on(_ endpoint: Endpoint, use handler: @Sendable @escaping (Request, ServiceRequestContext) async throws -> some ResponseGenerator) -> Self {
        on(RouterPath(endpoint.path), method: endpoint.method, use: handler)
    }
}

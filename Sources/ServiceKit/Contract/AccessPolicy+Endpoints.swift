extension AccessPolicy {
    /// One rule per endpoint under `/api/v1/`. Endpoints with more literal segments come first, so
    /// `/users/me` is decided by its own rule before `/users/{id}` can match it.
    public init(endpoints: [Endpoint]) {
        let governed = endpoints.filter { $0.path.hasPrefix("/api/v1/") }
        let ordered = governed.enumerated().sorted { a, b in
            let (pa, pb) = (a.element.pathParameterNames.count, b.element.pathParameterNames.count)
            return pa != pb ? pa < pb : a.offset < b.offset
        }
        self.init(rules: ordered.map { Rule($0.element.method.rawValue, $0.element.path, $0.element.access) })
    }
}

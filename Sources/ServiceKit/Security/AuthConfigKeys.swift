extension ConfigKey {
    /// Shared by the auth service (which signs) and the gateway (which verifies): they must agree.
    public static let authIssuer = ConfigKey(
        "auth.issuer", .string, default: "bourse", help: "`iss` of access tokens; tokens from any other issuer are refused.")
    public static let authAudience = ConfigKey(
        "auth.audience", .string, default: "bourse-api", help: "`aud` of access tokens; tokens for another audience are refused.")
}

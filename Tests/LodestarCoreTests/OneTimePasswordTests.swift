import Testing
@testable import LodestarCore

/// TOTP and HOTP against the test vectors published in RFC 6238 (appendix B) and RFC 4226 (appendix D),
/// and Base32 against RFC 4648 (section 10).
@Suite("Two-factor codes")
struct OneTimePasswordTests {
    static let sha1Seed = Array("12345678901234567890".utf8)
    static let sha256Seed = Array("12345678901234567890123456789012".utf8)
    static let sha512Seed = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)

    @Test(arguments: [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ])
    func rfc6238Vectors(_ vector: (time: Int, sha1: String, sha256: String, sha512: String)) {
        #expect(OneTimePassword(secret: Self.sha1Seed, algorithm: .sha1, digits: 8).code(at: vector.time) == vector.sha1)
        #expect(OneTimePassword(secret: Self.sha256Seed, algorithm: .sha256, digits: 8).code(at: vector.time) == vector.sha256)
        #expect(OneTimePassword(secret: Self.sha512Seed, algorithm: .sha512, digits: 8).code(at: vector.time) == vector.sha512)
    }

    @Test func rfc4226Vectors() {
        let hotp = OneTimePassword(secret: Self.sha1Seed)
        #expect((0..<10).map { hotp.code(counter: UInt64($0)) } ==
                ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"])
    }

    @Test func aCodeMatchesItsStepOrOneEitherSideAndOnlyOnce() {
        let totp = OneTimePassword(secret: Self.sha1Seed)
        let time = 1_111_111_109, step = totp.step(at: time)
        #expect(totp.matchingStep(of: totp.code(at: time), at: time) == step)
        #expect(totp.matchingStep(of: totp.code(at: time - 30), at: time) == step - 1)
        #expect(totp.matchingStep(of: totp.code(at: time + 30), at: time) == step + 1)
        #expect(totp.matchingStep(of: totp.code(at: time - 60), at: time) == nil)
        // Spaces are forgiven; letters and wrong lengths are not.
        let code = totp.code(at: time)
        #expect(totp.matchingStep(of: String(code.prefix(3)) + " " + String(code.suffix(3)), at: time) == step)
        #expect(totp.matchingStep(of: "12345", at: time) == nil && totp.matchingStep(of: "abcdef", at: time) == nil)
        // Used once, the same code (and any earlier one) is refused.
        #expect(totp.matchingStep(of: code, at: time, lastUsedStep: step) == nil)
        #expect(totp.matchingStep(of: totp.code(at: time + 30), at: time, lastUsedStep: step) == step + 1)
    }

    @Test func base32FollowsRFC4648() {
        let vectors = [("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======")]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base32.decode("mzxw 6ytb-oi") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW1") == nil)
        #expect(Base32.encode(Self.sha1Seed, padding: false) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    }

    @Test func theProvisioningAddressCarriesTheSecretAndIssuer() {
        let uri = OneTimePassword(secret: Self.sha1Seed).provisioningURI(account: "jada.green@cedarvalley.example.org", issuer: "Lodestar")
        #expect(uri == "otpauth://totp/Lodestar:jada.green@cedarvalley.example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Lodestar&algorithm=SHA1&digits=6&period=30")
    }

    @Test func recoveryCodesAreTenDistinctAndStoredAsDigestsOfWhatWasTyped() {
        let codes = RecoveryCodes.generate()
        #expect(codes.count == 10 && Set(codes).count == 10 && codes.allSatisfy { $0.count == 11 && $0.dropFirst(5).first == "-" })
        #expect(RecoveryCodes.digest(codes[0]) == RecoveryCodes.digest(codes[0].uppercased().replacingOccurrences(of: "-", with: " ")))
        #expect(RecoveryCodes.digest(codes[0]) != RecoveryCodes.digest(codes[1]))
        // SHA-256 of "abc".
        #expect(RecoveryCodes.digest("a-bc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

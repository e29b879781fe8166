import Protosocket
import Testing

@Suite("PeerIdentity")
struct PeerIdentityTests {
    @Test("a recorded chain gives its first certificate as the leaf; a leaf recorded alone clears the chain; an empty chain records nothing")
    func chainAndLeaf() {
        let identity = PeerIdentity()
        #expect(identity.certificate == nil && identity.certificateChain == nil)

        identity.setCertificateChain([[1, 1], [2, 2], [3, 3]])
        #expect(identity.certificate == [1, 1])
        #expect(identity.certificateChain == [[1, 1], [2, 2], [3, 3]])

        identity.setCertificate([9])
        #expect(identity.certificate == [9])
        #expect(identity.certificateChain == nil)

        identity.setCertificateChain([])
        #expect(identity.certificate == nil && identity.certificateChain == nil)
    }
}

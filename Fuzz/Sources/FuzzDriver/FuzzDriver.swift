#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry for programs that keep their own `main`: a SwiftPM executable
/// must (the link expects the module's entry point), so each target's top-level
/// code calls ``runFuzzer(_:)``. The targets also export `LLVMFuzzerTestOneInput`,
/// which the fuzzer runtime library refers to.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer on `body` with this process's arguments, then exits.
public func runFuzzer(_ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, body))
}

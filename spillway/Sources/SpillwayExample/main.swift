// The code between `// snippet:` and `// end snippet` is the documentation's
// "Getting started" (`scripts/doc-snippets.py` checks they are the same).
// snippet: example
import Spillway

/// Four producer tasks, each with its own sender (and so its own lane), and one
/// consumer that reads until every sender is gone.
func run() async -> Int {
    let (sender, receiver) = SpillwayChannel.make(of: String.self)

    let consumer = Task {
        var received = 0
        for await message in receiver {
            received += 1
            if received % 250 == 0 {
                print("consumer got", message)
            }
        }
        return received
    }

    await produce(with: consume sender)
    return await consumer.value
}

/// Each producer gets its own sender; all are released when the group ends.
func produce(with sender: Sender<String>) async {
    await withTaskGroup(of: Void.self) { group in
        for producer in 0..<4 {
            let mine = sender.makeSender()
            group.addTask {
                for i in 0..<250 {
                    do {
                        try mine.send("producer \(producer) message \(i)")
                    } catch {
                        print("send failed:", error)
                    }
                }
            }
        }
    }
}

print("received", await run())
// end snippet

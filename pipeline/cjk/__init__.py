"""Chinese text helpers shared by readers, transforms and writers: script detection, character classes."""

using System.Runtime.CompilerServices;

// The integrity tests sign arbitrary note texts (Go's sumdb/note vectors) through the internal signature-line writer.
[assembly: InternalsVisibleTo("Ledger.Integrity.Tests")]

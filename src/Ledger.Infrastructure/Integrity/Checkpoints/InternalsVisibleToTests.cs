using System.Runtime.CompilerServices;

// The integrity tests sign arbitrary note texts (Go's sumdb/note vectors) through the internal signature-line writer.
[assembly: InternalsVisibleTo("Ledger.Integrity.Tests")]
// The API tests hold a group commit's first batch until every append of a test has been queued.
[assembly: InternalsVisibleTo("Ledger.Api.Tests")]
// The witness (src/Ledger.Witness) reads submitted notes with the same signed-note parser and canonical base64 as the ledger.
[assembly: InternalsVisibleTo("Ledger.Witness")]

using System.Runtime.CompilerServices;

// The API tests hold a group commit's first batch until every append of a test has been queued.
[assembly: InternalsVisibleTo("Ledger.Api.Tests")]

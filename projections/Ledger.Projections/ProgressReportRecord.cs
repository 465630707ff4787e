using JasperFx.Events;
using Ledger.Contracts;
using Marten.Events.Projections;
using Marten.Schema;

namespace Ledger.Projections;

/// <summary>
/// One progress report with its corrections, a document of its own, so that a commitment's record stays
/// the same size however many reports it has had. Inline, written once when the report is made and again
/// at each correction of it; read a page at a time (GET /api/commitments/{id}/reports).
/// </summary>
public sealed class ProgressReportRecord
{
    /// <summary>"{commitmentId}/{reportId}": a report id is unique within its commitment.</summary>
    public string Id { get; set; } = "";
    public string CommitmentId { get; set; } = "";
    public string ReportId { get; set; } = "";
    /// <summary>The commitment stream's version at the report: the order reports were made in.</summary>
    public long StreamVersion { get; set; }
    public string Period { get; set; } = "";
    public DateOnly AsOf { get; set; }
    public List<IndicatorValue> Values { get; set; } = [];
    public string Narrative { get; set; } = "";
    public string ReportedBy { get; set; } = "";
    public DateTimeOffset ReportedAt { get; set; }
    public List<CorrectionEntry> Corrections { get; set; } = [];

    public static string IdOf(string commitmentId, string reportId) => $"{commitmentId}/{reportId}";

    /// <summary>The report as made, at the stream version of the event that made it.</summary>
    public static ProgressReportRecord From(IEvent<ProgressReported> e)
    {
        var d = e.Data;
        return new ProgressReportRecord
        {
            Id = IdOf(d.CommitmentId, d.ReportId),
            CommitmentId = d.CommitmentId,
            ReportId = d.ReportId,
            StreamVersion = e.Version,
            Period = d.Period,
            AsOf = d.AsOf,
            Values = [.. d.Values],
            Narrative = d.Narrative,
            ReportedBy = d.ReportedBy,
            ReportedAt = d.ReportedAt,
        };
    }

    public void Correct(ProgressCorrected d) =>
        Corrections.Add(new CorrectionEntry(d.CorrectionId, [.. d.Values], d.Reason, d.CorrectedBy, d.CorrectedAt));

    /// <summary>Marten calls this when it maps the document: the index a page of reports is read by.</summary>
    public static void ConfigureMarten(DocumentMapping<ProgressReportRecord> mapping) => ProgressReportRecordQuery.Configure(mapping);

    /// <summary>
    /// The report's values as they stand now: each indicator's as the latest correction naming it gave it,
    /// else as reported (a correction may name some of the report's indicators and not others).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<IndicatorValue> CurrentValues =>
        [.. Values.Select(v => Corrections.LastOrDefault(c => c.Values.Any(x => x.IndicatorId == v.IndicatorId)) is { } c
            ? c.Values.First(x => x.IndicatorId == v.IndicatorId)
            : v)];

    /// <summary>
    /// The reports of one commitment folded from its events without a database, in the order they were
    /// made: what the projection writes, for rewriting the documents of a ledger written before them.
    /// </summary>
    public static IReadOnlyList<ProgressReportRecord> Fold(IEnumerable<IEvent> events)
    {
        var reports = new Dictionary<string, ProgressReportRecord>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            switch (e)
            {
                case IEvent<ProgressReported> reported:
                    var report = From(reported);
                    reports[report.Id] = report;
                    break;
                case IEvent<ProgressCorrected> { Data: var d } when reports.TryGetValue(IdOf(d.CommitmentId, d.CorrectsReportId), out var target):
                    target.Correct(d);
                    break;
            }
        }
        return [.. reports.Values.OrderBy(r => r.StreamVersion)];
    }
}

public partial class ProgressReportRecordProjection : MultiStreamProjection<ProgressReportRecord, string>
{
    public ProgressReportRecordProjection()
    {
        Identity<ProgressReported>(e => ProgressReportRecord.IdOf(e.CommitmentId, e.ReportId));
        Identity<ProgressCorrected>(e => ProgressReportRecord.IdOf(e.CommitmentId, e.CorrectsReportId));
    }

    public ProgressReportRecord Create(IEvent<ProgressReported> e) => ProgressReportRecord.From(e);

    public void Apply(IEvent<ProgressCorrected> e, ProgressReportRecord report) => report.Correct(e.Data);
}

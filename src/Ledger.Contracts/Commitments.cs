namespace Ledger.Contracts;

public enum ResultType { Output, Outcome, Impact }

public enum Measure { Count, Percent, Boolean, WaterQualityClass, Qualitative }

public enum Direction { Ascending, Descending }

public enum Aggregation { Cumulative, PerPeriod }

public enum MilestoneType { Approval, Delivery, Reporting, Payment, Assessment }

public enum MilestoneStatus { Scheduled, Met, PartiallyMet, NotMet }

/// <summary>Where an indicator started: value, date and source.</summary>
public sealed record Baseline(decimal? Value, DateOnly Date, string Source);

/// <summary>The target for one reporting period, labelled e.g. "2024" or "2024-Q2".</summary>
public sealed record PeriodTarget(string Period, DateOnly Start, DateOnly End, decimal? Target = null);

/// <summary>A measurable result inside a commitment (IATI's result indicator).</summary>
public sealed record Indicator(
    string IndicatorId,
    string Name,
    Measure Measure,
    string Unit,
    Direction Direction,
    Aggregation Aggregation,
    Baseline? Baseline,
    IReadOnlyList<PeriodTarget>? Periods = null);

/// <summary>A dated step of a commitment.</summary>
public sealed record Milestone(string MilestoneId, string Title, MilestoneType Type, DateOnly Due);

/// <summary>An actual value for one indicator; qualitative indicators carry text instead of a number.</summary>
public sealed record IndicatorValue(string IndicatorId, decimal? Value = null, string? Text = null);

/// <summary>A lead government registered a commitment under an active agreement (status Draft).</summary>
public sealed record CommitmentRegistered(
    string CommitmentId,
    string AgreementId,
    string LeadGovernmentId,
    string LeadDepartment,
    ResultType ResultType,
    string Title,
    string Description,
    DateOnly Deadline,
    string RegisteredBy,
    DateTimeOffset RegisteredAt);

public sealed record IndicatorDefined(string CommitmentId, Indicator Indicator, string DefinedBy, DateTimeOffset DefinedAt);

public sealed record MilestoneScheduled(string CommitmentId, Milestone Milestone, string ScheduledBy, DateTimeOffset ScheduledAt);

public sealed record ContributorAssigned(
    string CommitmentId,
    string GovernmentId,
    decimal SharePercent,
    string AssignedBy,
    DateTimeOffset AssignedAt);

/// <summary>The coordination level accepted the commitment into supervision (Draft → Active).</summary>
public sealed record CommitmentActivated(string CommitmentId, string ActivatedBy, DateTimeOffset ActivatedAt);

public sealed record CommitmentSuspended(string CommitmentId, string Reason, string SuspendedBy, DateTimeOffset SuspendedAt);

public sealed record CommitmentResumed(string CommitmentId, string Reason, string ResumedBy, DateTimeOffset ResumedAt);

public sealed record CommitmentWithdrawn(string CommitmentId, string Reason, string WithdrawnBy, DateTimeOffset WithdrawnAt);

/// <summary>A government reported actual values for a period, as of a date that is never in the future.</summary>
public sealed record ProgressReported(
    string CommitmentId,
    string ReportId,
    string Period,
    DateOnly AsOf,
    IReadOnlyList<IndicatorValue> Values,
    string Narrative,
    string ReportedBy,
    DateTimeOffset ReportedAt);

/// <summary>A compensating entry: it replaces the values of the report it names, which stays in the ledger.</summary>
public sealed record ProgressCorrected(
    string CommitmentId,
    string CorrectionId,
    string CorrectsReportId,
    IReadOnlyList<IndicatorValue> Values,
    string Reason,
    string CorrectedBy,
    DateTimeOffset CorrectedAt);

public enum DocumentType { OfficialDocument, Minutes, MonitoringData, Photo, InspectionReport, PaymentVoucher }

public enum Confidentiality { Public, Internal, Confidential }

/// <summary>
/// A document backing the commitment, identified by the SHA-256 of its bytes (stored as
/// <c>evidence_attached.v2</c>). Its media type and size are known when the ledger keeps the file
/// itself, and null for a document kept elsewhere; events written as <see cref="EvidenceAttachedV1"/>
/// read as this with both null.
/// </summary>
public sealed record EvidenceAttached(
    string CommitmentId,
    string EvidenceId,
    DocumentType DocumentType,
    string Title,
    string Sha256,
    string StorageUri,
    string Issuer,
    DateOnly IssuedOn,
    Confidentiality Confidentiality,
    string? MediaType,
    long? Length,
    string AttachedBy,
    DateTimeOffset AttachedAt);

/// <summary>
/// The first shape of <see cref="EvidenceAttached"/>, stored as <c>evidence_attached.v1</c> before the
/// media type and size were recorded. Never written any more; read through <see cref="Upcast"/>.
/// </summary>
public sealed record EvidenceAttachedV1(
    string CommitmentId,
    string EvidenceId,
    DocumentType DocumentType,
    string Title,
    string Sha256,
    string StorageUri,
    string Issuer,
    DateOnly IssuedOn,
    Confidentiality Confidentiality,
    string AttachedBy,
    DateTimeOffset AttachedAt)
{
    /// <summary>The event as the current shape reads it: nothing was recorded of the file's type or size.</summary>
    public EvidenceAttached Upcast() => new(CommitmentId, EvidenceId, DocumentType, Title, Sha256, StorageUri, Issuer, IssuedOn,
        Confidentiality, MediaType: null, Length: null, AttachedBy, AttachedAt);
}

public enum ClaimScope { Milestone, Period, Commitment }

/// <summary>The lead government claims a milestone, a period or the whole commitment fulfilled.</summary>
public sealed record FulfilmentClaimed(
    string CommitmentId,
    string ClaimId,
    ClaimScope Scope,
    string? Subject,
    IReadOnlyList<string> EvidenceIds,
    string Statement,
    string ClaimedBy,
    DateTimeOffset ClaimedAt);

public sealed record ClaimWithdrawn(string CommitmentId, string ClaimId, string Reason, string WithdrawnBy, DateTimeOffset WithdrawnAt);

public enum VerificationMethod { DocumentReview, SiteInspection, ThirdPartyData, MonitoringFeed }

public enum Verdict { Verified, PartiallyVerified, Rejected, NeedsMoreEvidence }

/// <summary>A supervisor's verdict on a fulfilment claim.</summary>
public sealed record VerificationCompleted(
    string CommitmentId,
    string ClaimId,
    VerificationMethod Method,
    Verdict Verdict,
    string Findings,
    string VerifiedBy,
    DateTimeOffset VerifiedAt);

public sealed record MilestoneStatusChanged(
    string CommitmentId,
    string MilestoneId,
    MilestoneStatus Status,
    DateOnly? MetOn,
    string ChangedBy,
    DateTimeOffset ChangedAt);

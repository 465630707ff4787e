using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class AttachingEvidenceTests
{
    private const string Title = "Joint patrol minutes, May 2024";
    private const string Uri = "s3://xgb-evidence/a01/ev-patrol-2024-05.pdf";
    private const string Issuer = "Liuyang and Shangli joint river-chief office";
    private static readonly DateOnly IssuedOn = new(2024, 5, 28);

    private static AttachEvidence Attach => new(
        C1, "ev-patrol-2024-05", DocumentType.Minutes, Title, Sha256, Uri, Issuer, IssuedOn, Confidentiality.Internal, LiuyangGov, Now);

    private static EvidenceAttached Attached(string by) => new(
        C1, "ev-patrol-2024-05", DocumentType.Minutes, Title, Sha256, Uri, Issuer, IssuedOn, Confidentiality.Internal, null, null, by, Now);

    private static Outcome<CommitmentState> Attaching(AttachEvidence command, params object[] given) =>
        Spec.Given(given.Length == 0 ? C1Active : given).When(state => CommitmentDecider.Decide(state, command));

    [Fact]
    public void The_lead_attaches_evidence_named_by_the_sha256_of_its_bytes() =>
        Attaching(Attach)
            .Then(Attached(LiuyangGov.Id))
            .AndState(s => Assert.Contains("ev-patrol-2024-05", s.EvidenceIds));

    [Fact]
    public void The_hash_is_stored_lower_case() =>
        Attaching(Attach with { Sha256 = Sha256.ToUpperInvariant() })
            .Then(Attached(LiuyangGov.Id));

    [Fact]
    public void A_contributor_attaches_evidence() =>
        Attaching(Attach with { Actor = ShangliGov })
            .Then(Attached(ShangliGov.Id));

    [Theory]
    [InlineData(CommitmentStatus.Draft)]
    [InlineData(CommitmentStatus.Suspended)]
    [InlineData(CommitmentStatus.Fulfilled)]
    public void Evidence_is_attached_to_any_commitment_that_is_not_withdrawn(CommitmentStatus status) =>
        Attaching(Attach, C1In(status))
            .Then(Attached(LiuyangGov.Id));

    [Fact]
    public void Nothing_is_attached_to_a_withdrawn_commitment() =>
        Attaching(Attach, C1In(CommitmentStatus.Withdrawn))
            .ThenFails(DomainErrorKind.Conflict, "commitment_withdrawn");

    [Fact]
    public void A_supervisor_does_not_attach_a_governments_evidence() =>
        Attaching(Attach with { Actor = JointOffice })
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_government_outside_the_commitment_does_not_attach_evidence() =>
        Attaching(Attach with { Actor = LilingGov })
            .ThenFails(DomainErrorKind.Forbidden, "not_a_participant");

    [Theory]
    [InlineData("EV-1")]
    [InlineData("e1")]
    [InlineData("")]
    public void An_evidence_id_is_lower_case_letters_digits_and_dashes(string evidenceId) =>
        Attaching(Attach with { EvidenceId = evidenceId })
            .ThenFails(DomainErrorKind.Rule, "invalid_evidence_id", "evidenceId");

    [Fact]
    public void An_evidence_id_is_used_once() =>
        Attaching(Attach, [.. C1Active, Evidence("ev-patrol-2024-05")])
            .ThenFails(DomainErrorKind.Conflict, "duplicate_evidence", "evidenceId");

    [Fact]
    public void Evidence_has_a_title() =>
        Attaching(Attach with { Title = "" })
            .ThenFails(DomainErrorKind.Rule, "required", "title");

    [Theory]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0")]   // 63 digits
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a080")] // 65 digits
    [InlineData("zf86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]  // not hex
    [InlineData("")]
    public void The_sha256_is_sixty_four_hexadecimal_digits(string sha256) =>
        Attaching(Attach with { Sha256 = sha256 })
            .ThenFails(DomainErrorKind.Rule, "invalid_sha256", "sha256");

    [Theory]
    [InlineData("evidence/a01/minutes.pdf")]
    [InlineData("not a uri")]
    [InlineData("")]
    public void The_storage_location_is_an_absolute_uri(string storageUri) =>
        Attaching(Attach with { StorageUri = storageUri })
            .ThenFails(DomainErrorKind.Rule, "invalid_uri", "storageUri");

    [Fact]
    public void Evidence_names_its_issuer() =>
        Attaching(Attach with { Issuer = " " })
            .ThenFails(DomainErrorKind.Rule, "required", "issuer");

    [Fact]
    public void Evidence_is_never_issued_in_the_future() =>
        Attaching(Attach with { IssuedOn = Tomorrow })
            .ThenFails(DomainErrorKind.Rule, "date_in_future", "issuedOn");
}

using Ledger.Contracts;
using Ledger.Domain.Commitments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Commitments;

public class SupervisingRectificationsTests
{
    private const string Rect = "rect-patrol-plan";
    private const string Findings = "The joint river patrol plan due 2024-03-31 has not been approved.";
    private static readonly DateOnly Due = new(2024, 7, 31);
    private static readonly string[] Actions = ["Submit the patrol plan to both river-chief offices", "Hold the first joint patrol"];

    private static OrderRectification Order(
        string rectificationId = Rect, string governmentId = Liuyang, IReadOnlyList<string>? actions = null, DateOnly? dueOn = null,
        Actor? actor = null, string findings = Findings) =>
        new(C1, rectificationId, governmentId, findings, actions ?? Actions, dueOn ?? Due, actor ?? JointOffice, Now);

    private static RectificationOrdered Ordered(string governmentId = Liuyang) =>
        new(C1, Rect, governmentId, Findings, Actions, Due, JointOffice.Id, Earlier);

    private static RectificationResponded Responded(params string[] evidence) =>
        new(C1, Rect, "The plan went to both river-chief offices on 2024-05-15.", evidence, LiuyangGov.Id, Earlier);

    private static RectificationRejected Rejected(DateOnly? newDue = null) =>
        new(C1, Rect, "Submission is not approval; the plan is still unsigned.", newDue, JointOffice.Id, Earlier);

    private static RespondToRectification Respond(Actor? actor = null, IReadOnlyList<string>? evidence = null, string response = "Plan approved on 2024-05-30.") =>
        new(C1, Rect, response, evidence ?? [], actor ?? LiuyangGov, Now);

    private static AcceptRectification Accept(Actor? actor = null) => new(C1, Rect, "Approval document seen.", actor ?? JointOffice, Now);

    private static RejectRectification Reject(DateOnly? newDue = null, Actor? actor = null) =>
        new(C1, Rect, "The approval is unsigned.", newDue, actor ?? JointOffice, Now);

    private static object[] OrderedToLiuyang => [.. C1Active, Ordered()];
    private static object[] RespondedOnce => [.. OrderedToLiuyang, Responded()];

    // ---- ordering ----

    [Theory]
    [InlineData(Liuyang)]
    [InlineData(Shangli)]
    public void A_supervisor_orders_a_participant_to_rectify(string governmentId) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Order(governmentId: governmentId)))
            .Then(new RectificationOrdered(C1, Rect, governmentId, Findings, Actions, Due, JointOffice.Id, Now))
            .AndState(s =>
            {
                Assert.Equal(RectificationStatus.Ordered, s.Rectifications[Rect].Status);
                Assert.Equal(governmentId, s.Rectifications[Rect].GovernmentId);
            });

    [Theory]
    [InlineData(CommitmentStatus.FulfilmentClaimed)]
    [InlineData(CommitmentStatus.Suspended)]
    public void A_claimed_or_suspended_commitment_can_still_be_ordered_to_rectify(CommitmentStatus status) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, Order()))
            .Then(new RectificationOrdered(C1, Rect, Liuyang, Findings, Actions, Due, JointOffice.Id, Now));

    [Theory]
    [InlineData(CommitmentStatus.Draft, "commitment_not_active")]
    [InlineData(CommitmentStatus.Withdrawn, "commitment_withdrawn")]
    [InlineData(CommitmentStatus.Fulfilled, "commitment_fulfilled")]
    public void A_draft_withdrawn_or_fulfilled_commitment_is_not_ordered_to_rectify(CommitmentStatus status, string code) =>
        Spec.Given(C1In(status))
            .When(state => CommitmentDecider.Decide(state, Order()))
            .ThenFails(DomainErrorKind.Conflict, code);

    public static TheoryData<Actor> NotSupervisors => [LiuyangGov, ShangliGov, Conference, AuditOffice, Registry];

    [Theory]
    [MemberData(nameof(NotSupervisors))]
    public void Only_a_supervisor_orders_rectification(Actor actor) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Order(actor: actor)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData(Liling)]
    [InlineData(Pingjiang)]
    [InlineData("")]
    public void Only_a_participant_of_the_commitment_is_ordered_to_rectify(string governmentId) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Order(governmentId: governmentId)))
            .ThenFails(DomainErrorKind.Rule, "not_a_participant", "governmentId");

    [Fact]
    public void An_order_names_at_least_one_required_action() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Order(actions: [])))
            .ThenFails(DomainErrorKind.Rule, "required_actions_required", "requiredActions");

    [Fact]
    public void A_blank_required_action_is_named_by_its_index() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Order(actions: ["Approve the plan", " "])))
            .ThenFails(DomainErrorKind.Rule, "required", "requiredActions[1]");

    [Fact]
    public void An_order_states_its_findings() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Order(findings: "")))
            .ThenFails(DomainErrorKind.Rule, "required", "findings");

    [Theory]
    [InlineData(2024, 6, 1)]
    [InlineData(2024, 5, 31)]
    public void An_order_falls_due_after_today(int year, int month, int day) =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Order(dueOn: new DateOnly(year, month, day))))
            .ThenFails(DomainErrorKind.Rule, "date_not_in_future", "dueOn");

    [Fact]
    public void Today_is_the_zone_date_so_an_order_due_tomorrow_in_China_is_refused_late_in_the_UTC_day() =>
        // 2024-06-01T17:00Z is 2024-06-02 01:00 at UTC+8: the 2nd is already today in the zone.
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Order(dueOn: Tomorrow) with { Now = Now.AddHours(17) }))
            .ThenFails(DomainErrorKind.Rule, "date_not_in_future", "dueOn");

    [Fact]
    public void A_rectification_id_is_used_once() =>
        Spec.Given(OrderedToLiuyang)
            .When(state => CommitmentDecider.Decide(state, Order(governmentId: Shangli)))
            .ThenFails(DomainErrorKind.Conflict, "duplicate_rectification", "rectificationId");

    [Fact]
    public void A_rectification_id_follows_the_id_pattern() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Order(rectificationId: "Rect 1")))
            .ThenFails(DomainErrorKind.Rule, "invalid_rectification_id", "rectificationId");

    // ---- responding ----

    [Fact]
    public void The_ordered_government_responds_citing_attached_evidence() =>
        Spec.Given([.. OrderedToLiuyang, Evidence("ev-patrol-approval")])
            .When(state => CommitmentDecider.Decide(state, Respond(evidence: ["ev-patrol-approval"])))
            .Then(new RectificationResponded(C1, Rect, "Plan approved on 2024-05-30.", ["ev-patrol-approval"], LiuyangGov.Id, Now))
            .AndState(s => Assert.Equal((RectificationStatus.Responded, 1), (s.Rectifications[Rect].Status, s.Rectifications[Rect].Responses)));

    [Fact]
    public void Another_participant_does_not_respond_for_the_ordered_government() =>
        Spec.Given(OrderedToLiuyang)
            .When(state => CommitmentDecider.Decide(state, Respond(actor: ShangliGov)))
            .ThenFails(DomainErrorKind.Forbidden, "not_the_ordered_government");

    [Fact]
    public void A_supervisor_does_not_respond_to_its_own_order() =>
        Spec.Given(OrderedToLiuyang)
            .When(state => CommitmentDecider.Decide(state, Respond(actor: JointOffice)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_response_cites_only_evidence_attached_to_the_commitment() =>
        Spec.Given([.. OrderedToLiuyang, Evidence("ev-patrol-approval")])
            .When(state => CommitmentDecider.Decide(state, Respond(evidence: ["ev-patrol-approval", "ev-never-attached"])))
            .ThenFails(DomainErrorKind.Rule, "unknown_evidence", "evidenceIds[1]");

    [Fact]
    public void A_response_says_something() =>
        Spec.Given(OrderedToLiuyang)
            .When(state => CommitmentDecider.Decide(state, Respond(response: "")))
            .ThenFails(DomainErrorKind.Rule, "required", "response");

    [Fact]
    public void A_response_awaiting_review_is_not_followed_by_another() =>
        Spec.Given(RespondedOnce)
            .When(state => CommitmentDecider.Decide(state, Respond()))
            .ThenFails(DomainErrorKind.Conflict, "rectification_already_responded", "rectificationId");

    [Fact]
    public void After_a_rejection_the_ordered_government_responds_again() =>
        Spec.Given([.. RespondedOnce, Rejected()])
            .When(state => CommitmentDecider.Decide(state, Respond()))
            .Then(new RectificationResponded(C1, Rect, "Plan approved on 2024-05-30.", [], LiuyangGov.Id, Now))
            .AndState(s => Assert.Equal((RectificationStatus.Responded, 2), (s.Rectifications[Rect].Status, s.Rectifications[Rect].Responses)));

    [Fact]
    public void An_accepted_rectification_takes_no_more_responses() =>
        Spec.Given([.. RespondedOnce, new RectificationAccepted(C1, Rect, "Closed.", JointOffice.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Respond()))
            .ThenFails(DomainErrorKind.Conflict, "rectification_closed", "rectificationId");

    [Fact]
    public void A_response_to_an_unknown_rectification_is_not_found() =>
        Spec.Given(C1Active)
            .When(state => CommitmentDecider.Decide(state, Respond()))
            .ThenFails(DomainErrorKind.NotFound, "rectification_not_found", "rectificationId");

    [Fact]
    public void Nobody_responds_on_a_withdrawn_commitment() =>
        Spec.Given([.. OrderedToLiuyang, new CommitmentWithdrawn(C1, "Merged", Conference.Id, Earlier)])
            .When(state => CommitmentDecider.Decide(state, Respond()))
            .ThenFails(DomainErrorKind.Conflict, "commitment_withdrawn");

    // ---- accepting and rejecting ----

    [Fact]
    public void A_supervisor_accepts_a_response_and_the_rectification_closes() =>
        Spec.Given(RespondedOnce)
            .When(state => CommitmentDecider.Decide(state, Accept()))
            .Then(new RectificationAccepted(C1, Rect, "Approval document seen.", JointOffice.Id, Now))
            .AndState(s => Assert.Equal(RectificationStatus.Accepted, s.Rectifications[Rect].Status));

    [Fact]
    public void A_supervisor_rejects_a_response_with_a_new_due_date() =>
        Spec.Given(RespondedOnce)
            .When(state => CommitmentDecider.Decide(state, Reject(new DateOnly(2024, 8, 31))))
            .Then(new RectificationRejected(C1, Rect, "The approval is unsigned.", new DateOnly(2024, 8, 31), JointOffice.Id, Now))
            .AndState(s =>
            {
                Assert.Equal(RectificationStatus.Rejected, s.Rectifications[Rect].Status);
                Assert.Equal(new DateOnly(2024, 8, 31), s.Rectifications[Rect].DueOn);
            });

    [Fact]
    public void A_rejection_without_a_new_due_date_keeps_the_old_one() =>
        Spec.Given(RespondedOnce)
            .When(state => CommitmentDecider.Decide(state, Reject()))
            .Then(new RectificationRejected(C1, Rect, "The approval is unsigned.", null, JointOffice.Id, Now))
            .AndState(s => Assert.Equal(Due, s.Rectifications[Rect].DueOn));

    [Fact]
    public void A_new_due_date_on_rejection_is_after_today() =>
        Spec.Given(RespondedOnce)
            .When(state => CommitmentDecider.Decide(state, Reject(Today)))
            .ThenFails(DomainErrorKind.Rule, "date_not_in_future", "newDueOn");

    public static TheoryData<object[]> NotResponded => new()
    {
        { (object[])[.. C1Active, Ordered()] },
        { (object[])[.. C1Active, Ordered(), Responded(), Rejected()] },
        { (object[])[.. C1Active, Ordered(), Responded(), new RectificationAccepted(C1, Rect, "Closed.", JointOffice.Id, Earlier)] },
    };

    [Theory]
    [MemberData(nameof(NotResponded))]
    public void Only_a_response_awaiting_review_is_accepted(object[] history) =>
        Spec.Given(history)
            .When(state => CommitmentDecider.Decide(state, Accept()))
            .ThenFails(DomainErrorKind.Conflict, "rectification_not_responded", "rectificationId");

    [Theory]
    [MemberData(nameof(NotResponded))]
    public void Only_a_response_awaiting_review_is_rejected(object[] history) =>
        Spec.Given(history)
            .When(state => CommitmentDecider.Decide(state, Reject()))
            .ThenFails(DomainErrorKind.Conflict, "rectification_not_responded", "rectificationId");

    [Theory]
    [MemberData(nameof(NotSupervisors))]
    public void Only_a_supervisor_accepts(Actor actor) =>
        Spec.Given(RespondedOnce)
            .When(state => CommitmentDecider.Decide(state, Accept(actor)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [MemberData(nameof(NotSupervisors))]
    public void Only_a_supervisor_rejects(Actor actor) =>
        Spec.Given(RespondedOnce)
            .When(state => CommitmentDecider.Decide(state, Reject(actor: actor)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void A_withdrawn_commitments_rectification_is_neither_accepted_nor_rejected()
    {
        object[] withdrawn = [.. RespondedOnce, new CommitmentWithdrawn(C1, "Merged", Conference.Id, Earlier)];
        Spec.Given(withdrawn)
            .When(state => CommitmentDecider.Decide(state, Accept()))
            .ThenFails(DomainErrorKind.Conflict, "commitment_withdrawn");
        Spec.Given(withdrawn)
            .When(state => CommitmentDecider.Decide(state, Reject()))
            .ThenFails(DomainErrorKind.Conflict, "commitment_withdrawn");
    }

    [Fact]
    public void An_acceptance_states_findings() =>
        Spec.Given(RespondedOnce)
            .When(state => CommitmentDecider.Decide(state, Accept() with { Findings = " " }))
            .ThenFails(DomainErrorKind.Rule, "required", "findings");
}

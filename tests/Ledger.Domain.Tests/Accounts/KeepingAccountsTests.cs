using Ledger.Contracts;
using Ledger.Domain.Accounts;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Accounts;

public class KeepingAccountsTests
{
    private static readonly Actor Operator = new("operator:root", ActorRole.Admin);
    private static readonly Actor Official = new("liuyang.official", ActorRole.Government, Liuyang);

    private static readonly AccountCreated Created = new("liuyang.official", AccountRole.Government, Liuyang, Operator.Id, Now.AddDays(-1));

    [Fact]
    public void An_administrator_opens_a_government_account_bound_to_its_division_code() =>
        Spec.Given()
            .When(state => AccountDecider.Decide(state, new CreateAccount("liuyang.official", AccountRole.Government, Liuyang, Operator, Now)))
            .Then(new AccountCreated("liuyang.official", AccountRole.Government, Liuyang, Operator.Id, Now))
            .AndState(s => Assert.Equal(new AccountState("liuyang.official", AccountRole.Government, Liuyang, Disabled: false), s));

    [Fact]
    public void A_supervisor_account_is_bound_to_no_government() =>
        Spec.Given()
            .When(state => AccountDecider.Decide(state, new CreateAccount("joint.office", AccountRole.Supervisor, null, Operator, Now)))
            .Then(new AccountCreated("joint.office", AccountRole.Supervisor, null, Operator.Id, Now));

    [Theory]
    [InlineData(ActorRole.Supervisor)]
    [InlineData(ActorRole.Decision)]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Auditor)]
    [InlineData(ActorRole.System)]
    public void Only_an_administrator_opens_accounts(ActorRole role) =>
        Spec.Given()
            .When(state => AccountDecider.Decide(state, new CreateAccount("someone", AccountRole.Auditor, null, new Actor("x", role, Liuyang), Now)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData("ab")]
    [InlineData("Liuyang")]
    [InlineData("1official")]
    [InlineData("liu yang")]
    [InlineData("浏阳")]
    [InlineData("")]
    public void A_name_is_lower_case_letters_digits_and_a_few_marks(string name) =>
        Spec.Given()
            .When(state => AccountDecider.Decide(state, new CreateAccount(name, AccountRole.Auditor, null, Operator, Now)))
            .ThenFails(DomainErrorKind.Rule, "invalid_account_name", "name");

    [Fact]
    public void A_name_is_taken_once() =>
        Spec.Given(Created)
            .When(state => AccountDecider.Decide(state, new CreateAccount("liuyang.official", AccountRole.Auditor, null, Operator, Now)))
            .ThenFails(DomainErrorKind.Conflict, "account_exists", "name");

    [Theory]
    [InlineData(null)]
    [InlineData("43018")]
    [InlineData("liuyang")]
    public void A_government_account_needs_a_division_code(string? government) =>
        Spec.Given()
            .When(state => AccountDecider.Decide(state, new CreateAccount("liuyang.official", AccountRole.Government, government, Operator, Now)))
            .ThenFails(DomainErrorKind.Rule, "invalid_division_code", "government");

    [Fact]
    public void Only_a_government_account_is_bound_to_a_government() =>
        Spec.Given()
            .When(state => AccountDecider.Decide(state, new CreateAccount("joint.office", AccountRole.Supervisor, Liuyang, Operator, Now)))
            .ThenFails(DomainErrorKind.Rule, "government_not_allowed", "government");

    [Fact]
    public void A_role_outside_the_accounts_roles_is_refused() =>
        Spec.Given()
            .When(state => AccountDecider.Decide(state, new CreateAccount("root.admin", (AccountRole)42, null, Operator, Now)))
            .ThenFails(DomainErrorKind.Rule, "invalid_role", "role");

    [Fact]
    public void An_administrator_grants_another_role_and_the_one_before_lapses() =>
        Spec.Given(Created)
            .When(state => AccountDecider.Decide(state, new GrantAccountRole("liuyang.official", AccountRole.Auditor, null, Operator, Now)))
            .Then(new AccountRoleGranted("liuyang.official", AccountRole.Auditor, null, Operator.Id, Now))
            .AndState(s => Assert.Equal((AccountRole.Auditor, (string?)null), (s.Role, s.GovernmentId)));

    [Fact]
    public void Granting_the_role_held_already_changes_nothing() =>
        Spec.Given(Created)
            .When(state => AccountDecider.Decide(state, new GrantAccountRole("liuyang.official", AccountRole.Government, Liuyang, Operator, Now)))
            .Then();

    [Fact]
    public void A_role_is_granted_only_on_an_account_that_exists() =>
        Spec.Given()
            .When(state => AccountDecider.Decide(state, new GrantAccountRole("nobody", AccountRole.Auditor, null, Operator, Now)))
            .ThenFails(DomainErrorKind.NotFound, "account_not_found", "name");

    [Fact]
    public void An_administrator_disables_an_account_once() =>
        Spec.Given(Created)
            .When(state => AccountDecider.Decide(state, new DisableAccount("liuyang.official", Operator, Now)))
            .Then(new AccountDisabled("liuyang.official", Operator.Id, Now))
            .AndState(s => Assert.True(s.Disabled));

    [Fact]
    public void Disabling_a_disabled_account_changes_nothing() =>
        Spec.Given(Created, new AccountDisabled("liuyang.official", Operator.Id, Now))
            .When(state => AccountDecider.Decide(state, new DisableAccount("liuyang.official", Operator, Now)))
            .Then();

    [Fact]
    public void A_person_cannot_disable_an_account() =>
        Spec.Given(Created)
            .When(state => AccountDecider.Decide(state, new DisableAccount("liuyang.official", Official, Now)))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Fact]
    public void An_administrator_resets_a_password_and_the_event_holds_no_password() =>
        Spec.Given(Created)
            .When(state => AccountDecider.Decide(state, new ResetAccountPassword("liuyang.official", Operator, Now)))
            .Then(new AccountPasswordReset("liuyang.official", Operator.Id, Now));

    [Fact]
    public void A_disabled_account_gets_no_new_password() =>
        Spec.Given(Created, new AccountDisabled("liuyang.official", Operator.Id, Now))
            .When(state => AccountDecider.Decide(state, new ResetAccountPassword("liuyang.official", Operator, Now)))
            .ThenFails(DomainErrorKind.Conflict, "account_disabled", "name");

    [Fact]
    public void Nobody_resets_the_password_of_an_account_that_does_not_exist() =>
        Spec.Given()
            .When(state => AccountDecider.Decide(state, new ResetAccountPassword("nobody", Operator, Now)))
            .ThenFails(DomainErrorKind.NotFound, "account_not_found", "name");

    [Fact]
    public void A_person_changes_their_own_password() =>
        Spec.Given(Created)
            .When(state => AccountDecider.Decide(state, new ChangeAccountPassword("liuyang.official", Official, Now)))
            .Then(new AccountPasswordChanged("liuyang.official", Official.Id, Now));

    [Theory]
    [InlineData(ActorRole.Admin)]
    [InlineData(ActorRole.Government)]
    public void Nobody_changes_another_persons_password(ActorRole role) =>
        Spec.Given(Created)
            .When(state => AccountDecider.Decide(state, new ChangeAccountPassword("liuyang.official", new Actor("someone.else", role, Liuyang), Now)))
            .ThenFails(DomainErrorKind.Forbidden, "not_your_account");

    [Fact]
    public void A_disabled_account_changes_no_password() =>
        Spec.Given(Created, new AccountDisabled("liuyang.official", Operator.Id, Now))
            .When(state => AccountDecider.Decide(state, new ChangeAccountPassword("liuyang.official", Official, Now)))
            .ThenFails(DomainErrorKind.Conflict, "account_disabled", "name");
}

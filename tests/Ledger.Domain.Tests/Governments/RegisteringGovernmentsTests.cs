using Ledger.Contracts;
using Ledger.Domain.Governments;
using static Ledger.Domain.Tests.Pilot;

namespace Ledger.Domain.Tests.Governments;

public class RegisteringGovernmentsTests
{
    private static RegisterGovernment RegisterLiuyang(Actor actor) =>
        new(Liuyang, "浏阳市", "Liuyang", Province.Hunan, "Changsha", GovernmentLevel.CountyLevelCity, actor, Now);

    [Fact]
    public void An_administrator_registers_a_county_level_government_under_its_division_code() =>
        Spec.Given()
            .When(state => GovernmentDecider.Decide(state, RegisterLiuyang(Registry)))
            .Then(new GovernmentRegistered(Liuyang, "浏阳市", "Liuyang", Province.Hunan, "Changsha", GovernmentLevel.CountyLevelCity, Registry.Id, Now))
            .AndState(s => Assert.Equal(new GovernmentState(Liuyang, "浏阳市", "Liuyang", Province.Hunan, "Changsha", GovernmentLevel.CountyLevelCity), s));

    [Fact]
    public void A_jiangxi_county_registers_with_its_own_province_and_prefecture() =>
        Spec.Given()
            .When(state => GovernmentDecider.Decide(state,
                new RegisterGovernment(Shangli, "上栗县", "Shangli", Province.Jiangxi, "Pingxiang", GovernmentLevel.County, Registry, Now)))
            .Then(new GovernmentRegistered(Shangli, "上栗县", "Shangli", Province.Jiangxi, "Pingxiang", GovernmentLevel.County, Registry.Id, Now));

    [Theory]
    [InlineData(ActorRole.Supervisor)]
    [InlineData(ActorRole.Decision)]
    [InlineData(ActorRole.Government)]
    [InlineData(ActorRole.Auditor)]
    public void Only_an_administrator_keeps_the_registry(ActorRole role) =>
        Spec.Given()
            .When(state => GovernmentDecider.Decide(state, RegisterLiuyang(new Actor("someone", role, Liuyang))))
            .ThenFails(DomainErrorKind.Forbidden, "role_not_allowed");

    [Theory]
    [InlineData("43018")]
    [InlineData("4301810")]
    [InlineData("030181")]
    [InlineData("930181")]
    [InlineData("43018a")]
    [InlineData("liuyang")]
    [InlineData("")]
    public void The_id_is_a_six_digit_administrative_division_code(string governmentId) =>
        Spec.Given()
            .When(state => GovernmentDecider.Decide(state, RegisterLiuyang(Registry) with { GovernmentId = governmentId }))
            .ThenFails(DomainErrorKind.Rule, "invalid_division_code", "governmentId");

    [Fact]
    public void A_division_code_is_registered_once() =>
        Spec.Given(new GovernmentRegistered(Liuyang, "浏阳市", "Liuyang", Province.Hunan, "Changsha", GovernmentLevel.CountyLevelCity, Registry.Id, Now.AddDays(-30)))
            .When(state => GovernmentDecider.Decide(state, RegisterLiuyang(Registry)))
            .ThenFails(DomainErrorKind.Conflict, "government_exists", "governmentId");

    [Theory]
    [InlineData("nameZh")]
    [InlineData("nameEn")]
    [InlineData("prefecture")]
    public void Names_and_prefecture_are_required(string field) =>
        Spec.Given()
            .When(state => GovernmentDecider.Decide(state, field switch
            {
                "nameZh" => RegisterLiuyang(Registry) with { NameZh = " " },
                "nameEn" => RegisterLiuyang(Registry) with { NameEn = "" },
                _ => RegisterLiuyang(Registry) with { Prefecture = "" },
            }))
            .ThenFails(DomainErrorKind.Rule, "required", field);

    [Fact]
    public void A_name_longer_than_a_hundred_characters_is_refused() =>
        Spec.Given()
            .When(state => GovernmentDecider.Decide(state, RegisterLiuyang(Registry) with { NameEn = new string('L', 101) }))
            .ThenFails(DomainErrorKind.Rule, "too_long", "nameEn");
}

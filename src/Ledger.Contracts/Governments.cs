namespace Ledger.Contracts;

public enum Province { Hunan, Jiangxi }

public enum GovernmentLevel { County, CountyLevelCity, District }

/// <summary>A county-level government joined the registry under its administrative division code.</summary>
public sealed record GovernmentRegistered(
    string GovernmentId,
    string NameZh,
    string NameEn,
    Province Province,
    string Prefecture,
    GovernmentLevel Level,
    string RegisteredBy,
    DateTimeOffset RegisteredAt);

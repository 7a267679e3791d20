namespace Backchannel.Domain;

/// <summary>
/// A pairwise subject identifier a sector was given for a user: kept so that the value can be traced back to the user
/// when a client names it (login_hint, id_token_hint, an access token at /userinfo).
/// </summary>
/// <param name="Sector">The sector identifier (a host name).</param>
/// <param name="Value">The pairwise sub the sector's clients see.</param>
/// <param name="Subject">The user's own sub.</param>
public sealed record PairwiseSubject(string Sector, string Value, string Subject);

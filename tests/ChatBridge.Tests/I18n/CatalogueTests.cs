using System.Text.Json;
using System.Text.RegularExpressions;

namespace ChatBridge.Tests.I18n;

/// <summary>
/// The language catalogues (wwwroot/i18n/*.json) are complete: each has exactly English's keys, keeps every
/// {placeholder} of each text (in every plural form), and names only plural forms Intl.PluralRules knows; every key the
/// pages and scripts ask for exists, and the locale lists in the scripts match the files.
/// </summary>
public sealed partial class CatalogueTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
    private static readonly string[] PluralForms = ["zero", "one", "two", "few", "many", "other"];

    public static TheoryData<string> Locales() => [.. CatalogueNames()];

    private static IEnumerable<string> CatalogueNames() =>
        Directory.GetFiles(Path.Combine(Root, "i18n"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal);

    [Fact]
    public void Twelve_locales_have_a_catalogue_and_the_scripts_offer_exactly_those()
    {
        var files = CatalogueNames().ToList();

        Assert.Equal(["ar", "de", "en", "es", "fr", "it", "ja", "nl", "pl", "pt-BR", "uk", "zh-CN"], files);
        foreach (var script in new[] { "locale.js", "widget.js" })
        {
            var list = LocaleList().Match(File.ReadAllText(Path.Combine(Root, script)));
            Assert.True(list.Success, $"{script} has no Locales list");
            Assert.Equal(files, QuotedNames().Matches(list.Groups[1].Value).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
        }
        var menu = LanguageNames().Match(File.ReadAllText(Path.Combine(Root, "i18n.js")));
        Assert.True(menu.Success, "i18n.js has no Languages table");
        Assert.Equal(files, MenuCodes().Matches(menu.Groups[1].Value).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Locales))]
    public void A_catalogue_has_every_key_of_English_and_no_other(string locale)
    {
        var english = Load("en");
        var catalogue = Load(locale);

        var missing = english.Keys.Except(catalogue.Keys).Order(StringComparer.Ordinal).ToList();
        var extra = catalogue.Keys.Except(english.Keys).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0, $"{locale} misses {string.Join(", ", missing)}");
        Assert.True(extra.Count == 0, $"{locale} has keys English lacks: {string.Join(", ", extra)}");
    }

    [Theory]
    [MemberData(nameof(Locales))]
    public void A_translation_keeps_every_placeholder_of_English_in_every_plural_form(string locale)
    {
        var english = Load("en");
        var broken = new List<string>();
        foreach (var (key, value) in Load(locale))
        {
            if (!english.TryGetValue(key, out var original))
            {
                continue; // reported by the key test
            }
            var expected = Placeholders(Forms(original).First().Text);
            broken.AddRange(Forms(value)
                .Where(form => !Placeholders(form.Text).SetEquals(expected))
                .Select(form => $"{key}{(form.Name is null ? "" : $" ({form.Name})")}: \"{form.Text}\" has {{{string.Join("}, {", Placeholders(form.Text))}}}, English {{{string.Join("}, {", expected)}}}"));
        }

        Assert.True(broken.Count == 0, $"{locale}:\n{string.Join('\n', broken)}");
    }

    [Theory]
    [MemberData(nameof(Locales))]
    public void Values_are_texts_or_plural_forms_that_Intl_knows_with_other_among_them(string locale)
    {
        var wrong = new List<string>();
        foreach (var (key, value) in Load(locale))
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                if (string.IsNullOrWhiteSpace(value.GetString()))
                {
                    wrong.Add($"{key} is empty");
                }
                continue;
            }
            if (value.ValueKind != JsonValueKind.Object)
            {
                wrong.Add($"{key} is a {value.ValueKind}");
                continue;
            }
            var forms = value.EnumerateObject().ToList();
            wrong.AddRange(forms.Where(f => !PluralForms.Contains(f.Name)).Select(f => $"{key} has a form '{f.Name}'"));
            wrong.AddRange(forms.Where(f => f.Value.ValueKind != JsonValueKind.String).Select(f => $"{key}.{f.Name} is not text"));
            if (!forms.Any(f => f.Name == "other"))
            {
                wrong.Add($"{key} has no 'other' form");
            }
        }

        Assert.True(wrong.Count == 0, $"{locale}:\n{string.Join('\n', wrong)}");
    }

    [Fact]
    public void Every_key_the_pages_and_scripts_ask_for_is_in_the_catalogue()
    {
        var english = Load("en");
        var asked = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Root, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".html", StringComparison.Ordinal) || f.EndsWith(".js", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}lib{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            asked.UnionWith(TextKeys().Matches(text).Select(m => m.Groups[1].Value));
            asked.UnionWith(AttributeKeys().Matches(text).SelectMany(m => m.Groups[1].Value.Split(';')).Select(pair => pair.Split(':')[^1].Trim()));
            asked.UnionWith(CalledKeys().Matches(text).Select(m => m.Groups[1].Value));
        }
        asked.ExceptWith(["key", "key2"]); // i18n.js's comment that shows the attribute syntax

        Assert.True(asked.Count > 150, $"only {asked.Count} keys found: the patterns no longer match the code");
        var unknown = asked.Where(key => !english.ContainsKey(key)).ToList();
        Assert.True(unknown.Count == 0, $"asked for but not in en.json: {string.Join(", ", unknown)}");
    }

    private static Dictionary<string, JsonElement> Load(string locale)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "i18n", $"{locale}.json")));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    private static IEnumerable<(string? Name, string Text)> Forms(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? [(null, value.GetString()!)]
        : value.EnumerateObject().Where(f => f.Value.ValueKind == JsonValueKind.String).Select(f => ((string?)f.Name, f.Value.GetString()!));

    private static HashSet<string> Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"const Locales = \[([^\]]*)\]")]
    private static partial Regex LocaleList();

    [GeneratedRegex(@"'([A-Za-z-]+)'")]
    private static partial Regex QuotedNames();

    [GeneratedRegex(@"export const Languages = \{([^}]*)\}")]
    private static partial Regex LanguageNames();

    [GeneratedRegex(@"^\s*'?([A-Za-z-]+)'?:", RegexOptions.Multiline)]
    private static partial Regex MenuCodes();

    [GeneratedRegex("data-i18n=\"([^\"]+)\"")]
    private static partial Regex TextKeys();

    [GeneratedRegex("data-i18n-attr=\"([^\"]+)\"")]
    private static partial Regex AttributeKeys();

    [GeneratedRegex(@"\bt\('([\w.]+)'")]
    private static partial Regex CalledKeys();
}

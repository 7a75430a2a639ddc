using System.Text.Json;
using Microsoft.Playwright;

namespace ChatBridge.Tests.Browser.Localization;

/// <summary>
/// In the pseudo-locale (en-XA) every catalogue text is wrapped in ⟦…⟧. This finds what a person can read or hear that
/// is not: text nodes, accessible names, placeholders, tooltips and the title. Data is not the page's to translate and
/// is left out: whatever is marked translate="no" (agent names, session ids, code, the language menu's names), message
/// text (.bubble-text, .backlog-text), times and sizes formatted by Intl (&lt;time&gt;, &lt;data&gt;), and text without a letter (numbers, punctuation).
/// </summary>
internal static class Untranslated
{
    private const string Finder = """
        () => {
          const wrapped = (text) => { const t = text.trim(); return t.startsWith('⟦') && t.endsWith('⟧'); };
          const data = (element) => element.closest('[translate="no"], .bubble-text, .backlog-text, time, data, script, style, template') !== null;
          const visible = (element) => {
            const shown = element.closest('option') ? element.closest('select') : element;
            return shown.checkVisibility({ visibilityProperty: true });
          };
          const found = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
            const text = node.nodeValue.trim();
            const parent = node.parentElement;
            if (text === '' || !/\p{L}/u.test(text) || parent === null || data(parent) || !visible(parent)) {
              continue;
            }
            if (!wrapped(text) && !wrapped(parent.textContent)) {
              found.push(`text "${text}" in <${parent.tagName.toLowerCase()} id="${parent.id}" class="${parent.className}">`);
            }
          }
          for (const element of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
            if (data(element) || element.tagName === 'IFRAME' || !visible(element)) {
              continue;
            }
            for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
              const value = element.getAttribute(name);
              if (value !== null && /\p{L}/u.test(value) && !wrapped(value)) {
                found.push(`${name}="${value}" on <${element.tagName.toLowerCase()} id="${element.id}" class="${element.className}">`);
              }
            }
          }
          const description = document.querySelector('meta[name="description"]')?.content ?? '';
          if (!wrapped(description)) {
            found.push(`meta description "${description}"`);
          }
          if (!wrapped(document.title)) {
            found.push(`title "${document.title}"`);
          }
          const widget = document.querySelector('[data-sanctum-chat]')?.shadowRoot;
          // The button; its dialog is named by the site's title option, the site's own words.
          for (const element of widget?.querySelectorAll('.launcher') ?? []) {
            if (!wrapped(element.getAttribute('aria-label'))) {
              found.push(`widget aria-label="${element.getAttribute('aria-label')}"`);
            }
          }
          return found;
        }
        """;

    /// <summary>Fails naming each text that did not come from the catalogue.</summary>
    public static async Task AssertNoneAsync(IFrame frame, string state)
    {
        var found = await frame.EvaluateAsync<JsonElement>(Finder);
        var list = found.EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.True(list.Count == 0, $"not from the catalogue on {state}:\n{string.Join('\n', list)}");
    }

    public static Task AssertNoneAsync(IPage page, string state) => AssertNoneAsync(page.MainFrame, state);
}

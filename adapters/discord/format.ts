/**
 * Text and component shapes for what Verity posts on Discord: length limits, markdown
 * escaping, embeds for verification/warning messages, buttons.
 */
import {
  ActionRowBuilder,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  ButtonBuilder,
  ButtonStyle,
  escapeMarkdown,
} from 'discord.js';
import type { z } from 'zod';
import type { ButtonRows } from '../../src/core/model.ts';

export const CONTENT_MAX = 2000;
export const EMBED_DESCRIPTION_MAX = 4096;

/** Never let a message ping anyone: no @everyone/@here, roles or users, whatever the text says. */
export const NO_MENTIONS = { parse: [] };

/**
 * Text Verity sends may quote what users wrote (a domain they asked about, a name). A
 * masked link `[support.example.com](https://evil.example)` in such a quote would render
 * as a link whose text lies about its target, which is exactly the impersonator's trick;
 * Verity itself never needs masked links (URLs go in link buttons), so they are always
 * escaped. Other markdown is kept: templates and agents use it on purpose.
 */
export function outboundText(text: string): string {
  return escapeMarkdown(text, {
    maskedLink: true,
    bold: false,
    italic: false,
    underline: false,
    strikethrough: false,
    spoiler: false,
    codeBlock: false,
    inlineCode: false,
    heading: false,
    bulletedList: false,
    numberedList: false,
    escape: false,
  });
}

/** Text that came from a user and is placed into our own wording: shown literally. */
export function userText(text: string): string {
  return escapeMarkdown(text, { maskedLink: true });
}

/** Splits text into pieces of at most `max` characters, preferring line, then word boundaries. */
export function chunk(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = window.lastIndexOf('\n');
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    if (cut < max / 2) cut = max;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

const STYLE_EMBEDS: Record<'verification' | 'warning', { title: string; color: number }> = {
  verification: { title: 'Verified', color: 0x2e_cc_71 },
  warning: { title: 'Warning', color: 0xe7_4c_3c },
};

export function styledEmbed(style: 'verification' | 'warning', description: string): APIEmbed {
  return { ...STYLE_EMBEDS[style], description };
}

export function buttonRows(
  rows: z.infer<typeof ButtonRows>,
): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  return rows.map((row) =>
    new ActionRowBuilder<ButtonBuilder>()
      .addComponents(
        row.map((button) =>
          'url' in button
            ? new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel(button.label).setURL(button.url)
            : new ButtonBuilder()
                .setStyle(ButtonStyle.Primary)
                .setLabel(button.label)
                .setCustomId(button.data),
        ),
      )
      .toJSON(),
  );
}

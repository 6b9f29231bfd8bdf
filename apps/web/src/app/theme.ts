/**
 * Light or dark: the OS preference unless the reader chose one. The choice is kept in
 * localStorage; the theme in force is data-theme on <html> (styles.css holds both palettes as
 * CSS variables); charts read the palette through chartTheme().
 */
import { useEffect, useMemo, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_KEY = 'caliper.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export function storedTheme(): ThemeChoice {
  try {
    const v = window.localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** Sets <html data-theme> to the theme in force: the choice, or the OS preference for 'system'. */
export function applyTheme(choice: ThemeChoice): void {
  document.documentElement.dataset.theme = resolvedTheme(choice);
}

/** Applies the stored choice now, and again whenever the OS preference changes while it is 'system'. */
export function followTheme(): void {
  applyTheme(storedTheme());
  window.matchMedia?.(DARK_QUERY).addEventListener('change', () => {
    if (storedTheme() === 'system') {
      applyTheme('system');
      window.dispatchEvent(new Event('caliper-theme'));
    }
  });
}

export function resolvedTheme(choice: ThemeChoice): 'light' | 'dark' {
  if (choice !== 'system') return choice;
  return window.matchMedia?.(DARK_QUERY).matches ? 'dark' : 'light';
}

/** The reader's choice and a setter that applies and remembers it. */
export function useThemeChoice(): [ThemeChoice, (c: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  return [
    choice,
    (c) => {
      setChoice(c);
      applyTheme(c);
      try {
        if (c === 'system') window.localStorage.removeItem(THEME_KEY);
        else window.localStorage.setItem(THEME_KEY, c);
      } catch {
        // storage refused (private mode): the choice holds for this page only
      }
      window.dispatchEvent(new Event('caliper-theme'));
    },
  ];
}

/** 'light' or 'dark' as shown now (data-theme on <html>); re-renders when it changes. */
export function useResolvedTheme(): 'light' | 'dark' {
  const shown = (): 'light' | 'dark' => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');
  const [mode, setMode] = useState(shown);
  useEffect(() => {
    const update = () => setMode(shown());
    window.addEventListener('caliper-theme', update);
    return () => window.removeEventListener('caliper-theme', update);
  }, []);
  return mode;
}

/** The chart colours of the palette in force (styles.css's --chart-* and text/accent variables). */
export interface ChartTheme {
  grid: string;
  text: string;
  axis: string;
  /** Labels that must stand out (values on an axis). */
  strong: string;
  /** A single series' line, and a second kind of series (system metrics). */
  line: string;
  lineAlt: string;
}
export function chartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    grid: v('--chart-grid', '#e3e6ea'),
    text: v('--chart-text', '#566070'),
    axis: v('--chart-axis', '#566070'),
    strong: v('--text', '#1b2330'),
    line: v('--accent', '#1d4f7c'),
    lineAlt: v('--ok', '#17603a'),
  };
}

/** chartTheme(), read again when the theme changes (the OS preference or the reader's choice). */
export function useChartTheme(): ChartTheme {
  const mode = useResolvedTheme();
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the palette is a function of the mode
  return useMemo(() => chartTheme(), [mode]);
}

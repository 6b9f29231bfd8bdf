/** The theme control in the top bar: follow the system, or light, or dark. */
import { ThemeChoice, useThemeChoice } from './theme';

export function ThemeSelect() {
  const [choice, setChoice] = useThemeChoice();
  return (
    <label className="theme-select">
      <span className="sr-only">Theme</span>
      <select value={choice} onChange={(e) => setChoice(e.target.value as ThemeChoice)} aria-label="Theme">
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

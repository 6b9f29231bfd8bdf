/**
 * The app uses <BrowserRouter> (main.tsx), whose navigate() returns nothing; React Router types it as
 * `void | Promise<void>` to cover data routers too, which no-floating-promises would flag at every call.
 * This narrows it as React Router's own docs suggest; switching to a data router means removing this file.
 */
import type { NavigateOptions, To } from 'react-router';

declare module 'react-router' {
  interface NavigateFunction {
    (to: To, options?: NavigateOptions): void;
    (delta: number): void;
  }
}

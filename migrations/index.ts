/** Every migration, in order. Migrations are written and reviewed by hand; never synchronize. */
import { Foundation1764205200000 } from './1764205200000-Foundation';
import { OutboxSchedule1764300000000 } from './1764300000000-OutboxSchedule';
import { Tracking1764400000000 } from './1764400000000-Tracking';
import { Registry1764500000000 } from './1764500000000-Registry';

export const MIGRATIONS = [Foundation1764205200000, OutboxSchedule1764300000000, Tracking1764400000000, Registry1764500000000];

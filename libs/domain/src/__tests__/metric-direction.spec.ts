import { defaultMetricDirection } from '../metric-direction';

describe('defaultMetricDirection', () => {
  it.each([
    ['loss', 'min'],
    ['val_loss', 'min'],
    ['train/loss', 'min'],
    ['dice_loss', 'min'],
    ['error_rate', 'min'],
    ['mae', 'min'],
    ['hd95', 'min'],
    ['hd95_et', 'min'],
    ['val.rmse', 'min'],
    ['dice', 'max'],
    ['dice_et', 'max'],
    ['mean_dice_wt', 'max'],
    ['accuracy', 'max'],
    ['val/acc', 'max'],
    ['auc', 'max'],
    ['mean_iou', 'max'],
    ['f1_score', 'max'],
    ['precision', 'max'],
    ['recall', 'max'],
    ['learning_rate', 'min'],
    ['epoch_time', 'min'],
  ])('%s is better %s', (key, direction) => {
    expect(defaultMetricDirection(key)).toBe(direction);
  });
});

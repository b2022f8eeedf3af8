// The residual-recurrence section's worker.
import { serveFigures, type Compute } from '../../worker-host';
import { computeResidual } from './compute';

serveFigures({ 'residual-gradients': computeResidual as Compute, 'residual-state': computeResidual as Compute });

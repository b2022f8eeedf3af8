// The Checkpoints tab: load a safetensors checkpoint (recur train's, or PyTorch's through the same
// format) and generate from it; download the training run's checkpoint.
import { $, echo, inputEl, message, numberFrom, selectEl } from './dom';
import { onLangChange, t } from './i18n';
import type { FromTrainWorker, GenerateRequest } from './protocol';
import type { PageState } from './state';

export function setupCheckpoints(worker: Worker, state: PageState): (m: FromTrainWorker) => void {
  echo('gen-temperature', 'gen-temperature-value');
  let description = '';
  const info = () => {
    const name = state.checkpoint.loaded;
    $('ckpt-info').textContent = name ? t('ckpt.loadedInfo', { name, description }) : t('ckpt.none');
  };
  info();
  onLangChange(info);
  const greedy = () => { inputEl('gen-temperature').disabled = inputEl('gen-greedy').checked; };
  inputEl('gen-greedy').addEventListener('change', greedy);
  greedy();

  inputEl('ckpt-file').addEventListener('change', async () => {
    message('ckpt-msg', null);
    const file = inputEl('ckpt-file').files?.[0];
    if (!file) return;
    $('ckpt-info').textContent = t('ckpt.reading', { name: file.name });
    const bytes = await file.arrayBuffer();
    worker.postMessage({ type: 'load', name: file.name, bytes }, [bytes]);
  });
  $('ckpt-download').addEventListener('click', () => { message('ckpt-msg', null); worker.postMessage({ type: 'download' }); });
  $('gen-run').addEventListener('click', () => {
    message('ckpt-msg', null);
    try {
      const request: GenerateRequest = {
        source: selectEl('gen-source').value as GenerateRequest['source'], prefix: inputEl('gen-prefix').value,
        length: numberFrom('gen-length', t('ckpt.length'), { min: 0, max: 100000, integer: true }), greedy: inputEl('gen-greedy').checked,
        temperature: Number(inputEl('gen-temperature').value), seed: numberFrom('gen-seed', t('lab.seed'), { min: 0, integer: true }),
      };
      $('gen-output').textContent = t('ckpt.generating');
      worker.postMessage({ type: 'generate', request });
    } catch (e) {
      message('ckpt-msg', (e as Error).message);
    }
  });

  return (m) => {
    switch (m.type) {
      case 'loaded':
        description = m.description;
        $('ckpt-info').textContent = t('ckpt.loadedInfo', { name: m.name, description: m.description });
        selectEl('gen-source').value = 'loaded';
        state.checkpoint.loaded = m.name;
        break;
      case 'generated':
        $('gen-output').textContent = m.text;
        state.checkpoint.generations++;
        state.checkpoint.generated = m.text;
        break;
      case 'checkpoint': {
        const url = URL.createObjectURL(new Blob([m.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
        const a = document.createElement('a');
        a.href = url;
        a.download = m.name;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        break;
      }
      case 'error':
        if (m.where === 'checkpoint' || m.where === 'generate') {
          message('ckpt-msg', m.message);
          if (m.where === 'checkpoint') $('ckpt-info').textContent = state.checkpoint.loaded ? t('ckpt.kept', { name: state.checkpoint.loaded }) : t('ckpt.none');
          else $('gen-output').textContent = '';
        }
        break;
      default:
    }
  };
}

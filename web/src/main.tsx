import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { App, createApp } from './App';
import './styles.css';
import './styles-components.css';
import './styles-pages.css';
import './narrow.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const { router, queryClient } = createApp((routes) => createBrowserRouter(routes));

createRoot(root).render(
  <StrictMode>
    <App router={router} queryClient={queryClient} />
  </StrictMode>,
);
